using System.Security.Cryptography;
using System.Text;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Tests.Routing;

/// <summary>The managed MD5 used for ketama hashes and key identities equals the platform's MD5.</summary>
public sealed class KeyDigestTests
{
    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("a", "0cc175b9c0f1b6a831c399e269772661")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a")]
    public void Matches_the_RFC_1321_test_suite(string input, string expected)
    {
        var digest = new byte[16];
        KeyDigest.Compute(Encoding.ASCII.GetBytes(input), digest);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Equals_the_platform_MD5_for_every_length_across_block_boundaries()
    {
        var random = new Random(5);
        var digest = new byte[16];
        for (var length = 0; length <= 300; length++)
        {
            for (var trial = 0; trial < 4; trial++)
            {
                var input = new byte[length];
                random.NextBytes(input);
                KeyDigest.Compute(input, digest);
                Assert.Equal(MD5.HashData(input), digest);
            }
        }
    }

    [Fact]
    public void Ketama_hash_is_the_first_four_digest_bytes_little_endian()
    {
        var key = "key:12345"u8;
        var md5 = MD5.HashData(key);
        Assert.Equal(BitConverter.ToUInt32(md5, 0), KeyDigest.KetamaHash(key));
        Assert.Equal(KeyDigest.KetamaHash(key), KetamaRing.HashKey(key));
    }
}
