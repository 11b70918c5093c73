namespace MemcacheOps.Engine.Dump;

/// <summary>What <see cref="DumpSource.Open"/> found at a path.</summary>
public enum DumpKind
{
    /// <summary>A MemcacheOps dump folder with manifest.json.</summary>
    Native,

    /// <summary>A cachemover output_dir (or its datafiles_completed folder).</summary>
    Cachemover,

    /// <summary>One V0 data file on its own.</summary>
    SingleFile,
}
