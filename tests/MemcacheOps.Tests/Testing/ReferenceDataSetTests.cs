using System.Security.Cryptography;
using System.Text;
using MemcacheOps.Testing;

namespace MemcacheOps.Tests.Testing;

public sealed class ReferenceDataSetTests
{
    [Fact]
    public void Totals_for_the_default_count_match_the_published_figures()
    {
        // shared/data/dataset.md: 200,000 keys, 561,081,167 value bytes, 100,000 keys without expiry.
        var totals = ReferenceDataSet.Totals(0, 200_000);

        Assert.Equal(200_000, totals.Items);
        Assert.Equal(561_081_167, totals.ValueBytes);
        Assert.Equal(100_000, totals.ItemsWithoutExpiry);
    }

    // Expected values computed once with the reference script's own item() function:
    //   python3 -c 'import sys,hashlib; sys.path.insert(0,"shared/data"); from load_dataset import item
    //   for n in [0,1,2,3,7,12345,199999]:
    //       k,v,f,e=item(20240601,n); print(n,len(v),v[:16].hex(),hashlib.sha256(v).hexdigest(),f,e)'
    [Theory]
    [InlineData(0, 69, "25f2080848e8e1f2195d947c0cbabcb6", "0ae900b17bac551396493f8f4d099cc381efc94e002e65f6caf73ddc97c1c555", 0, 0)]
    [InlineData(1, 484, "d747d662c227058971eab8c876433982", "6962314be12fdd3c116b4114f6e00c02e05faf79299296cdb6f69342df93de11", 1, 3600)]
    [InlineData(2, 19040, "7b5a7d045324f326be3cea5d2331b6aa", "dfb8fcabc229237189a7d1aee2fdf93ad5268498ba57a26967ad458960284cee", 2, 0)]
    [InlineData(3, 5128, "3feb50740c8b431b12ca2d7ec228d0e7", "d82790589df952194d5e0069608210a15bcf7e5e3d29d3646bacac6e8b7472c7", 3, 3600)]
    [InlineData(7, 585, "a2b5a81a226cdcc2f5a2673aa4dd2599", "c9a8e8bbde6ba1992338cb380f3d988eeb52d1b5201087760029c4bcace2cd44", 7, 3600)]
    [InlineData(12345, 2785, "7f22984c28236455190ecc758c9c0b2d", "6f9f4015c83ea690951a9327e340b753ba1e3a6ee342518e68388c4f6ed5fbee", 12345, 3600)]
    [InlineData(199999, 2188, "b6d7357546dfd78d58fb8653068aee3d", "2e4dde8ef615303ce42450a6c25052bec149b763a6684d94319c66cf514c915f", 3391, 3600)]
    public void Items_match_the_reference_script(long n, int size, string firstBytesHex, string valueSha256Hex, uint flags, int expiry)
    {
        var item = ReferenceDataSet.Item(n);

        Assert.Equal(Encoding.ASCII.GetBytes($"key:{n}"), item.Key);
        Assert.Equal(size, item.Value.Length);
        Assert.Equal(size, ReferenceDataSet.ValueSize(n));
        Assert.Equal(firstBytesHex, Convert.ToHexStringLower(item.Value.AsSpan(0, 16)));
        Assert.Equal(valueSha256Hex, Convert.ToHexStringLower(SHA256.HashData(item.Value)));
        Assert.Equal(flags, item.Flags);
        Assert.Equal(expiry, item.ExpirySeconds);
    }

    [Fact]
    public void The_first_fifty_values_hash_like_the_reference_script()
    {
        // python3: h=hashlib.sha256(); [h.update(item(20240601,n)[1]) for n in range(50)]; h.hexdigest()
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ReferenceDataSet.MaxValueSize];
        for (var n = 0; n < 50; n++)
        {
            var value = buffer.AsSpan(0, ReferenceDataSet.ValueSize(n));
            ReferenceDataSet.WriteValue(n, value);
            hash.AppendData(value);
        }

        Assert.Equal("1a4fde63d7cec845354cd15584e69ca7629bf969eb4db444439e6e453d0eb74d", Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    [Fact]
    public void Sizes_stay_within_the_documented_range()
    {
        for (var n = 0; n < 5000; n++)
        {
            var size = ReferenceDataSet.ValueSize(n);
            Assert.InRange(size, ReferenceDataSet.MinValueSize, ReferenceDataSet.MaxValueSize);
        }
    }

    [Fact]
    public void A_different_seed_gives_different_data()
    {
        var a = ReferenceDataSet.Item(5);
        var b = ReferenceDataSet.Item(5, seed: 1);

        Assert.NotEqual(a.Value, b.Value);
    }

    [Fact]
    public void Meta_set_command_has_the_documented_form()
    {
        var buffer = new byte[DataSetCommands.MaxMetaSetLength];
        var length = DataSetCommands.WriteMetaSet(1, buffer);
        var item = ReferenceDataSet.Item(1);
        var header = Encoding.ASCII.GetBytes("ms key:1 484 F1 T3600 q\r\n");

        Assert.Equal(header.Length + 484 + 2, length);
        Assert.Equal(header, buffer.AsSpan(0, header.Length).ToArray());
        Assert.Equal(item.Value, buffer.AsSpan(header.Length, 484).ToArray());
        Assert.Equal("\r\n"u8.ToArray(), buffer.AsSpan(length - 2, 2).ToArray());
    }
}
