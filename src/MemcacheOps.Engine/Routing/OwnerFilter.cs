using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// Keeps only keys that a pool's placement assigns to chosen servers: cachemover's <c>all_ips</c> (the
/// ring) and <c>dest_ips</c> (the owners to keep), with any <see cref="RingForm"/>. Used to dump or move
/// just what one node should hold.
/// </summary>
public sealed class OwnerFilter
{
    private readonly bool[] _keep;

    public OwnerFilter(IOwnerLookup lookup, IReadOnlyCollection<ServerEndpoint> keepOwners)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(keepOwners);
        Lookup = lookup;
        _keep = new bool[lookup.Servers.Count];
        foreach (var owner in keepOwners)
        {
            var index = lookup.IndexOf(owner);
            if (index < 0)
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaDestinationNotInRing",
                    $"Destination {owner} is not one of the ring's servers ({string.Join(", ", lookup.Servers)}). List it among the ring servers too.",
                    owner.ToString());
            _keep[index] = true;
        }
        KeepOwners = keepOwners;
    }

    /// <summary>The placement whose owners decide.</summary>
    public IOwnerLookup Lookup { get; }

    public IReadOnlyCollection<ServerEndpoint> KeepOwners { get; }

    public bool Accepts(ReadOnlySpan<byte> key) => _keep[Lookup.GetOwnerIndex(key)];
}
