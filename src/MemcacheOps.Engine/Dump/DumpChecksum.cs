using System.Buffers;
using System.Security.Cryptography;

namespace MemcacheOps.Engine.Dump;

/// <summary>Whole-file checksums in the forms dumps record them, and verification before import.</summary>
public static class DumpChecksum
{
    private const int ReadBufferSize = 1 << 20;

    /// <summary>
    /// Hashes the file: SHA-256 as 64 lowercase hex digits, MD5 as 32 UPPERCASE hex digits (the forms
    /// manifests and cachemover names use).
    /// </summary>
    public static string Compute(string path, ChecksumAlgorithm algorithm)
    {
        using var hash = new Hasher(algorithm);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            using var stream = OpenForRead(path);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                hash.AppendData(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw DumpErrors.ReadFailed(path, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return ToHex(hash.GetHashAndReset(), algorithm);
    }

    /// <summary>
    /// Hashes the file and compares with <paramref name="expectedHex"/> (any letter case); throws
    /// DumpChecksumMismatch when they differ. <see cref="ChecksumAlgorithm.None"/> is not accepted:
    /// there is nothing to verify against.
    /// </summary>
    public static void Verify(string path, ChecksumAlgorithm algorithm, string expectedHex)
    {
        var actual = Compute(path, algorithm);
        if (!string.Equals(actual, expectedHex, StringComparison.OrdinalIgnoreCase))
            throw DumpErrors.ChecksumMismatch(path, algorithm, actual, expectedHex);
    }

    /// <summary>True when <paramref name="text"/> is a checksum of the right length made only of hex digits.</summary>
    public static bool IsWellFormed(string? text, ChecksumAlgorithm algorithm)
    {
        var length = algorithm switch
        {
            ChecksumAlgorithm.Sha256 => 64,
            ChecksumAlgorithm.Md5 => 32,
            ChecksumAlgorithm.Crc32C => 8,
            _ => -1,
        };
        return text is not null && text.Length == length && IsHex(text);
    }

    internal static string ToHex(ReadOnlySpan<byte> digest, ChecksumAlgorithm algorithm) =>
        algorithm == ChecksumAlgorithm.Md5 ? Convert.ToHexString(digest) : Convert.ToHexString(digest).ToLowerInvariant();

    internal static string DisplayName(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Sha256 => "SHA-256",
        ChecksumAlgorithm.Md5 => "MD5",
        ChecksumAlgorithm.Crc32C => "CRC-32C",
        _ => "checksum",
    };

    /// <summary>The manifest's name for an algorithm ("sha256", "crc32c").</summary>
    public static string ManifestName(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Sha256 => "sha256",
        ChecksumAlgorithm.Crc32C => "crc32c",
        ChecksumAlgorithm.Md5 => "md5",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>One incremental checksum of any supported algorithm.</summary>
    internal sealed class Hasher : IDisposable
    {
        private readonly IncrementalHash? _hash;
        private readonly Crc32C? _crc;

        public Hasher(ChecksumAlgorithm algorithm)
        {
            Algorithm = algorithm;
            if (algorithm == ChecksumAlgorithm.Crc32C)
                _crc = new Crc32C();
            else
                _hash = IncrementalHash.CreateHash(ToHashName(algorithm));
        }

        public ChecksumAlgorithm Algorithm { get; }

        public void AppendData(ReadOnlySpan<byte> data)
        {
            if (_crc is not null)
                _crc.Append(data);
            else
                _hash!.AppendData(data);
        }

        public void AppendData(byte[] data, int offset, int count) => AppendData(data.AsSpan(offset, count));

        public byte[] GetHashAndReset() => _crc?.GetHashAndReset() ?? _hash!.GetHashAndReset();

        public void Dispose() => _hash?.Dispose();
    }

    private static HashAlgorithmName ToHashName(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        ChecksumAlgorithm.Md5 => HashAlgorithmName.MD5,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Choose SHA-256 or MD5; a file without a checksum cannot be hashed against anything."),
    };

    private static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
                return false;
        }
        return true;
    }

    private static FileStream OpenForRead(string path) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        });
}
