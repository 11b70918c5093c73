namespace MemcacheOps.Engine.Dump;

/// <summary>A finished cachemover data file, <c>data_&lt;ip&gt;__&lt;i&gt;_&lt;MD5&gt;</c>.</summary>
public sealed record CachemoverDataFile(
    string Name,
    string FullPath,
    string Md5,
    string? HostIp,
    int? KeyFileIndex,
    long SizeOnDisk);
