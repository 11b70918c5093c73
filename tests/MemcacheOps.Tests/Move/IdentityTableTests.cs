using MemcacheOps.Engine.Move;

namespace MemcacheOps.Tests.Move;

/// <summary>The move's key table behaves like a dictionary through growth, removals and tombstone reuse.</summary>
public sealed class IdentityTableTests
{
    [Fact]
    public void Agrees_with_a_dictionary_through_random_adds_finds_and_removals()
    {
        var random = new Random(3);
        var table = new IdentityTable<long>();
        var expected = new Dictionary<UInt128, long>();
        // Few distinct ids with colliding low bits as well as random ones, so probing and tombstones are exercised.
        UInt128 NextId() => random.Next(4) == 0
            ? new UInt128((ulong)random.Next(64), (ulong)random.Next(16) << 10)
            : new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64());
        var ids = new List<UInt128>();
        for (var step = 0; step < 200_000; step++)
        {
            var id = ids.Count > 0 && random.Next(3) == 0 ? ids[random.Next(ids.Count)] : NextId();
            switch (random.Next(4))
            {
                case 0:
                case 1:
                    ref var value = ref table.GetOrAdd(id, out var exists);
                    Assert.Equal(expected.ContainsKey(id), exists);
                    if (exists)
                        Assert.Equal(expected[id], value);
                    value = step;
                    expected[id] = step;
                    ids.Add(id);
                    break;
                case 2:
                    Assert.Equal(expected.Remove(id), table.Remove(id));
                    break;
                default:
                    ref var found = ref table.Find(id);
                    if (expected.TryGetValue(id, out var want))
                        Assert.Equal(want, found);
                    else
                        Assert.True(System.Runtime.CompilerServices.Unsafe.IsNullRef(ref found));
                    break;
            }
            Assert.Equal(expected.Count, table.Count);
        }
    }

    [Fact]
    public void RemoveWhere_visits_every_entry_once_and_removes_the_chosen_ones()
    {
        var table = new IdentityTable<int>();
        for (var i = 0; i < 10_000; i++)
            table.GetOrAdd(new UInt128(0, (ulong)i * 7919), out _) = i;
        var visited = 0;
        table.RemoveWhere(0, (int _, UInt128 id, ref int value) =>
        {
            visited++;
            return value % 2 == 0;
        });
        Assert.Equal(10_000, visited);
        Assert.Equal(5_000, table.Count);
        for (var i = 0; i < 10_000; i++)
        {
            ref var value = ref table.Find(new UInt128(0, (ulong)i * 7919));
            Assert.Equal(i % 2 == 1, !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref value));
        }
        // Tombstones are reused and dropped on rebuild: refilling does not grow without bound.
        for (var i = 0; i < 10_000; i += 2)
            table.GetOrAdd(new UInt128(0, (ulong)i * 7919), out _) = i;
        Assert.Equal(10_000, table.Count);
    }
}
