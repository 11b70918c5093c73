using System.Net;
using System.Net.Sockets;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Export;

/// <summary>
/// Where an export puts its files. The native layout keeps its manifest at the top; the cachemover
/// layout keeps cachemover's names and writes its DONE marker last, with MemcacheOps' resume state
/// in a hidden <c>.memcacheops</c> folder that cachemover's consumers never look at.
/// </summary>
internal abstract class DumpLayoutWriter(string root, ChecksumAlgorithm checksum)
{
    public string Root { get; } = root;

    /// <summary>The checksum every data file gets.</summary>
    public ChecksumAlgorithm Checksum { get; } = checksum;

    /// <summary>Folder of manifest.json (the export's state and, for the native layout, its index).</summary>
    public abstract string StateDirectory { get; }

    public abstract string KeysDirectory { get; }

    public abstract string DataDirectory { get; }

    public abstract string KeyFileName(ServerEndpoint server, int index);

    public abstract DataFileWriter CreateDataFile(ServerEndpoint server, int keyFileIndex, int part);

    public virtual void CreateDirectories()
    {
        PrivateFiles.CreateDirectory(StateDirectory);
        PrivateFiles.CreateDirectory(KeysDirectory);
        PrivateFiles.CreateDirectory(DataDirectory);
    }

    /// <summary>Writes whatever the layout needs after the manifest says complete.</summary>
    public virtual void Finish(DumpManifest manifest, TimeSpan elapsed)
    {
    }

    public static DumpLayoutWriter For(DumpLayout layout, string root, ChecksumAlgorithm checksum) => layout switch
    {
        DumpLayout.Native => new NativeLayoutWriter(root, checksum),
        DumpLayout.Cachemover => new CachemoverLayoutWriter(root, checksum),
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    private sealed class NativeLayoutWriter(string root, ChecksumAlgorithm checksum) : DumpLayoutWriter(root, checksum)
    {
        public override string StateDirectory => Root;

        public override string KeysDirectory => NativeLayout.KeysDirectory(Root);

        public override string DataDirectory => NativeLayout.DataDirectory(Root);

        public override string KeyFileName(ServerEndpoint server, int index) => NativeLayout.KeyFileName(NativeLayout.ServerTag(server.Host, server.Port), index);

        public override DataFileWriter CreateDataFile(ServerEndpoint server, int keyFileIndex, int part)
            => DataFileWriter.Create(DataDirectory, NativeLayout.DataFileName(NativeLayout.ServerTag(server.Host, server.Port), keyFileIndex, part), checksum: Checksum);
    }

    private sealed class CachemoverLayoutWriter(string root, ChecksumAlgorithm checksum) : DumpLayoutWriter(root, checksum)
    {
        // cachemover names files after the dumping host's own address.
        private readonly string _hostIp = LocalAddress();

        public override string StateDirectory => Path.Combine(Root, ".memcacheops");

        public override string KeysDirectory => Path.Combine(Root, CachemoverLayout.KeyFileFolder);

        public override string DataDirectory => Path.Combine(Root, CachemoverLayout.CompletedFolder);

        public override void CreateDirectories()
        {
            PrivateFiles.CreateDirectory(StateDirectory);
            CachemoverLayout.CreateDirectories(Root);
        }

        public override string KeyFileName(ServerEndpoint server, int index) => CachemoverLayout.KeyFileName(_hostIp, index);

        public override DataFileWriter CreateDataFile(ServerEndpoint server, int keyFileIndex, int part)
            => CachemoverLayout.CreateDataFileWriter(Root, _hostIp, keyFileIndex, part, checksum: Checksum);

        public override void Finish(DumpManifest manifest, TimeSpan elapsed)
        {
            CachemoverLayout.WriteAllKeyFilesDumped(Root, manifest.KeyFiles.Count, manifest.Totals.Listed);
            CachemoverLayout.WriteMetricsCheckpoint(Root, manifest.Totals, elapsed);
            CachemoverLayout.WriteDone(Root, manifest.Totals, elapsed);
        }
    }

    /// <summary>This host's first non-loopback IPv4 address, or 127.0.0.1.</summary>
    public static string LocalAddress()
    {
        try
        {
            foreach (var address in Dns.GetHostAddresses(Dns.GetHostName()))
            {
                if (address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address))
                    return address.ToString();
            }
        }
        catch (SocketException)
        {
        }
        return "127.0.0.1";
    }
}
