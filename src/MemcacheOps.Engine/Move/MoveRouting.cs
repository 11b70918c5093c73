using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// Decides where each listed key goes. The new ring (the destinations, or -RingServer, placed as
/// <see cref="MoveOptions.Ring"/> says) names the key's owner; the key is copied when that owner is one of
/// the destinations, is not the very server the key was read from (copying a key onto itself would only
/// bump its CAS), and, with -OnlyMoved, when the old ring gave it to a different server. Built once per
/// move; lookups allocate nothing.
/// </summary>
internal sealed class MoveRouting
{
    private readonly IOwnerLookup _newRing;
    private readonly int[] _destinationOfOwner;
    private readonly IOwnerLookup? _oldRing;
    private readonly int[] _newIndexOfOldOwner;
    private readonly int[] _destinationOfSource;

    private MoveRouting(IOwnerLookup newRing, int[] destinationOfOwner, IOwnerLookup? oldRing, int[] newIndexOfOldOwner, int[] destinationOfSource)
    {
        _newRing = newRing;
        _destinationOfOwner = destinationOfOwner;
        _oldRing = oldRing;
        _newIndexOfOldOwner = newIndexOfOldOwner;
        _destinationOfSource = destinationOfSource;
    }

    public IOwnerLookup NewRing => _newRing;

    public static MoveRouting Create(MoveOptions options)
    {
        var ringNodes = options.RingServers ?? options.Destinations.Select(d => new KetamaNode(d)).ToList();
        var newRing = options.Ring.Create(ringNodes);
        var destinationOfOwner = Enumerable.Repeat(-1, newRing.Servers.Count).ToArray();
        for (var d = 0; d < options.Destinations.Count; d++)
        {
            var index = newRing.IndexOf(options.Destinations[d]);
            if (index < 0)
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "MoveDestinationNotInRing",
                    $"Destination {options.Destinations[d]} is not one of the -RingServer servers ({string.Join(", ", newRing.Servers)}). List every destination in the new ring too.",
                    options.Destinations[d].ToString());
            destinationOfOwner[index] = d;
        }
        IOwnerLookup? oldRing = null;
        var newIndexOfOldOwner = Array.Empty<int>();
        if (options.OnlyMoved)
        {
            var oldNodes = options.OldRingServers ?? options.Sources.Select(s => new KetamaNode(s)).ToList();
            oldRing = options.Ring.Create(oldNodes);
            newIndexOfOldOwner = oldRing.Servers.Select(newRing.IndexOf).ToArray();
        }
        var destinationOfSource = options.Sources.Select(s => IndexOf(options.Destinations, s)).ToArray();
        return new MoveRouting(newRing, destinationOfOwner, oldRing, newIndexOfOldOwner, destinationOfSource);
    }

    /// <summary>
    /// The destination index a key read from source <paramref name="sourceIndex"/> is copied to, or -1 when
    /// it stays. <paramref name="id"/> is the key's identity (<see cref="KeyIdentity"/>), which ketama rings
    /// place by without hashing the key again.
    /// </summary>
    public int Route(ReadOnlySpan<byte> key, UInt128 id, int sourceIndex)
    {
        var owner = _newRing.GetOwnerIndex(key, id);
        var destination = _destinationOfOwner[owner];
        if (destination < 0 || destination == _destinationOfSource[sourceIndex])
            return -1;
        if (_oldRing is not null && _newIndexOfOldOwner[_oldRing.GetOwnerIndex(key, id)] == owner)
            return -1;
        return destination;
    }

    private static int IndexOf(IReadOnlyList<ServerEndpoint> list, ServerEndpoint endpoint)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Equals(endpoint))
                return i;
        }
        return -1;
    }
}
