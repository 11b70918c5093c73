using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// The data-file checksum alone, as export's write-behind thread and import's verification compute it:
/// one hasher fed 1 MiB buffers (the data file writer's buffer size). No server is involved; the bytes
/// are pseudo-random, which a CRC or SHA-256 is as fast on as on real values. Options: algorithm
/// (crc32c, the default, or sha256), mib (how much to hash; default 535, the reference set's values).
/// </summary>
internal sealed class ChecksumScenario : IScenario
{
    public string Name => "checksum";

    public string Description => "data-file checksum alone (--opt algorithm=crc32c|sha256, --opt mib=535) over 1 MiB buffers, as the export's writer and import's verification compute it; items = MiB hashed";

    public IReadOnlyList<string> ComparesWith => [];

    public Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var algorithm = context.Option("algorithm", "crc32c") switch
        {
            "crc32c" => ChecksumAlgorithm.Crc32C,
            "sha256" => ChecksumAlgorithm.Sha256,
            var other => throw new ArgumentException($"--opt algorithm={other}: use crc32c or sha256."),
        };
        var mib = context.Option("mib", 535);
        var buffer = new byte[DataFileWriter.DefaultBufferSize];
        new Random(context.Seed).NextBytes(buffer);
        using var hasher = new DumpChecksum.Hasher(algorithm);

        var meter = ResourceMeter.StartInProcess();
        for (var i = 0; i < mib; i++)
            hasher.AppendData(buffer);
        var digest = DumpChecksum.ToHex(hasher.GetHashAndReset(), algorithm);
        return Task.FromResult(meter.Finish(mib, (long)mib * buffer.Length,
            string.Create(CultureInfo.InvariantCulture, $"{algorithm}, {mib} x 1 MiB, digest {digest}")));
    }
}
