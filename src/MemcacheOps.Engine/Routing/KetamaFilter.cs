using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// Keeps only keys that a ketama ring assigns to chosen servers: cachemover's <c>all_ips</c> (the ring)
/// and <c>dest_ips</c> (the owners to keep). Used to dump or move just what one node should hold.
/// </summary>
public sealed class KetamaFilter
{
    private readonly bool[] _keep;

    public KetamaFilter(KetamaRing ring, IReadOnlyCollection<ServerEndpoint> keepOwners)
    {
        Ring = ring;
        _keep = new bool[ring.Servers.Count];
        foreach (var owner in keepOwners)
        {
            var index = ring.IndexOf(owner);
            if (index < 0)
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaDestinationNotInRing",
                    $"Destination {owner} is not one of the ring's servers ({string.Join(", ", ring.Servers)}). List it among the ring servers too.",
                    owner.ToString());
            _keep[index] = true;
        }
        KeepOwners = keepOwners;
    }

    public KetamaRing Ring { get; }

    public IReadOnlyCollection<ServerEndpoint> KeepOwners { get; }

    public bool Accepts(ReadOnlySpan<byte> key) => _keep[Ring.GetOwnerIndex(key)];
}
