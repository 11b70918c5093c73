using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// An immutable ketama consistent-hash ring: maps a key to the server that owns it, as the chosen
/// client (<see cref="KetamaForm"/>, whose rules live in <see cref="KetamaRules"/>) would. Lookups take
/// no lock and allocate nothing, so one ring can be shared by every worker; a changed server list means
/// building a new ring.
/// </summary>
public sealed class KetamaRing : IOwnerLookup
{
    /// <summary>Points per server when none is given: spymemcached's and twemproxy's 160, cachemover's <c>ketama_bucket_size</c> default.</summary>
    public const int DefaultPointsPerServer = 160;

    /// <summary>Upper bound on points per server, far above any client's setting, to keep rings small.</summary>
    public const int MaxPointsPerServer = 65536;

    private const int MaxTotalPoints = 1 << 26;

    private readonly KetamaNode[] _servers;
    private readonly ServerEndpoint[] _endpoints;
    private readonly string[] _ownerNames;

    // Sorted distinct point values, and for each the index of the server that owns it.
    private readonly uint[] _points;
    private readonly int[] _pointOwners;

    public KetamaRing(IEnumerable<KetamaNode> servers, KetamaForm form = KetamaForm.Spymemcached, int pointsPerServer = DefaultPointsPerServer)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var rules = KetamaRules.For(form);
        _servers = servers.ToArray();
        Form = form;
        PointsPerServer = pointsPerServer;
        Validate(_servers, rules, pointsPerServer);

        _endpoints = _servers.Select(s => s.Endpoint).ToArray();
        _ownerNames = _endpoints.Select(e => e.ToString()).ToArray();
        (_points, _pointOwners) = BuildPoints(_servers, rules, pointsPerServer);
        RingForm = rules.RingForm;
    }

    /// <summary>Builds a ring from server strings (<c>host:port</c>, <c>name/ip:port</c>, <c>/ip:port</c>; comma-separated lists allowed).</summary>
    public static KetamaRing Parse(IEnumerable<string> servers, KetamaForm form = KetamaForm.Spymemcached, int pointsPerServer = DefaultPointsPerServer)
        => new(KetamaNode.ParseList(servers), form, pointsPerServer);

    /// <summary>The servers in the order given, with the names their points are hashed from; owner indexes refer to this list.</summary>
    public IReadOnlyList<KetamaNode> Nodes => _servers;

    /// <summary>The addresses of <see cref="Nodes"/>, in the same order.</summary>
    public IReadOnlyList<ServerEndpoint> Servers => _endpoints;

    public KetamaForm Form { get; }

    /// <summary>The same placement as a <see cref="Routing.RingForm"/>.</summary>
    public RingForm RingForm { get; }

    RingForm IOwnerLookup.Form => RingForm;

    public string Description => string.Create(CultureInfo.InvariantCulture, $"{RingForm} ring of {_servers.Length} servers, {PointsPerServer} points each");

    public int PointsPerServer { get; }

    /// <summary>Distinct points on the ring (points of several servers at one value count once).</summary>
    public int PointCount => _points.Length;

    /// <summary>Index into <see cref="Servers"/> of the server that owns <paramref name="key"/>.</summary>
    public int GetOwnerIndex(ReadOnlySpan<byte> key) => GetOwnerIndexForHash(HashKey(key));

    /// <summary>The owner from the key's MD5 digest, whose low 32 bits are the ketama hash: the key is not hashed again.</summary>
    public int GetOwnerIndex(ReadOnlySpan<byte> key, UInt128 keyDigest) => GetOwnerIndexForHash((uint)keyDigest);

    /// <summary>The owner of <paramref name="key"/> as <c>host:port</c> (the server's <see cref="ServerEndpoint"/> text).</summary>
    public string GetOwner(ReadOnlySpan<byte> key) => _ownerNames[GetOwnerIndex(key)];

    /// <summary>Index of the server owning a key whose ketama hash (<see cref="HashKey"/>) is <paramref name="hash"/>.</summary>
    public int GetOwnerIndexForHash(uint hash) => _pointOwners[FindPointIndex(hash)];

    /// <summary>Index of <paramref name="endpoint"/> in <see cref="Servers"/>, or -1; lets callers turn a list of wanted servers into a per-index table once.</summary>
    public int IndexOf(ServerEndpoint endpoint) => Array.IndexOf(_endpoints, endpoint);
    /// <summary>A key's ketama hash: the little-endian uint32 of the first four bytes of MD5(key).</summary>
    public static uint HashKey(ReadOnlySpan<byte> key) => KeyDigest.KetamaHash(key);

    /// <summary>Position of the first point at or after <paramref name="hash"/>, wrapping to 0 past the last point.</summary>
    internal int FindPointIndex(uint hash)
    {
        var points = _points;
        int low = 0, high = points.Length;
        while (low < high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            if (points[middle] < hash)
                low = middle + 1;
            else
                high = middle;
        }
        return low == points.Length ? 0 : low;
    }

    internal ReadOnlySpan<uint> Points => _points;

    internal ReadOnlySpan<int> PointOwners => _pointOwners;

    /// <summary>Digests (of 4 points each) the libmemcached form gives one server (<see cref="LibmemcachedKetama.Digests"/>).</summary>
    internal static int LibmemcachedDigests(int weight, long totalWeight, int serverCount, int pointsPerServer)
        => LibmemcachedKetama.Instance.Digests(weight, totalWeight, serverCount, pointsPerServer);

    private static void Validate(KetamaNode[] servers, KetamaRules rules, int pointsPerServer)
    {
        if (servers.Length == 0)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaNoServers",
                "Cannot build a ketama ring without servers. Give the full list of servers the clients use, in their order.");
        }
        // Each MD5 digest gives 4 points. A count that is not a multiple of 4 is accepted because
        // cachemover and spymemcached accept it too: they hash pointsPerServer / 4 digests (integer
        // division), and the libmemcached formula divides by 4 in float; the ring does the same.
        if (pointsPerServer < 4 || pointsPerServer > MaxPointsPerServer)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaInvalidPointsPerServer",
                $"Points per server {pointsPerServer} is not valid for a ketama ring: use 4 to {MaxPointsPerServer}, normally a multiple of 4 since each MD5 digest gives 4 points (clients use {DefaultPointsPerServer}).",
                pointsPerServer.ToString(CultureInfo.InvariantCulture));
        }
        if ((long)servers.Length * pointsPerServer > MaxTotalPoints)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaRingTooLarge",
                $"A ring of {servers.Length} servers x {pointsPerServer} points exceeds {MaxTotalPoints} points. Use fewer points per server.");
        }

        var endpoints = new HashSet<ServerEndpoint>();
        var bases = new Dictionary<string, KetamaNode>(StringComparer.Ordinal);
        foreach (var server in servers)
        {
            ArgumentNullException.ThrowIfNull(server, nameof(servers));
            if (!endpoints.Add(server.Endpoint))
            {
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaDuplicateServer",
                    $"Server {server.Endpoint} appears more than once in the ketama ring's server list. List each server once.",
                    server.Endpoint.ToString());
            }
            var hashBase = rules.HashBase(server);
            if (!bases.TryAdd(hashBase, server))
            {
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaDuplicateServer",
                    $"Servers {bases[hashBase]} and {server} would hash to the same ring points ('{hashBase}') in the {rules.Form} form. Give them distinct names or addresses.",
                    server.Endpoint.ToString());
            }
            if (!rules.HasWeights && server.Weight != 1)
            {
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaWeightUnsupported",
                    $"Server {server} has weight {server.Weight}, but the {rules.Form} ring gives every server the same points. Drop the weight or use the {KetamaForm.Libmemcached} form.",
                    server.Endpoint.ToString());
            }
        }
    }

    private static (uint[] Points, int[] Owners) BuildPoints(KetamaNode[] servers, KetamaRules rules, int pointsPerServer)
    {
        var digests = new int[servers.Length];
        long totalWeight = 0;
        foreach (var server in servers)
            totalWeight += server.Weight;
        var total = 0;
        for (var i = 0; i < servers.Length; i++)
        {
            digests[i] = rules.Digests(servers[i].Weight, totalWeight, servers.Length, pointsPerServer);
            total += digests[i] * 4;
        }
        if (total == 0)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaInvalidPointsPerServer",
                $"With {pointsPerServer} points per server and these weights no server gets a point on the ring. Use more points per server (clients use {DefaultPointsPerServer}).",
                pointsPerServer.ToString(CultureInfo.InvariantCulture));
        }

        // Each entry is (point << 32 | insertion sequence): one sort orders by point, then by the order
        // the clients insert points (server list order), which is what tie-breaking depends on.
        var entries = new ulong[total];
        var ownerOfSequence = new int[total];
        Span<byte> digest = stackalloc byte[16];
        var sequence = 0;
        for (var i = 0; i < servers.Length; i++)
        {
            var hashBase = rules.HashBase(servers[i]);
            for (var j = 0; j < digests[i]; j++)
            {
                var input = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{hashBase}-{j}"));
                KeyDigest.Compute(input, digest);
                for (var k = 0; k < 4; k++)
                {
                    var point = BinaryPrimitives.ReadUInt32LittleEndian(digest.Slice(4 * k, 4));
                    entries[sequence] = ((ulong)point << 32) | (uint)sequence;
                    ownerOfSequence[sequence] = i;
                    sequence++;
                }
            }
        }
        Array.Sort(entries);

        var points = new List<uint>(total);
        var owners = new List<int>(total);
        var lastWins = rules.LastListedWinsTies;
        for (var e = 0; e < entries.Length; e++)
        {
            var point = (uint)(entries[e] >> 32);
            var owner = ownerOfSequence[(int)(uint)entries[e]];
            if (points.Count > 0 && points[^1] == point)
            {
                if (lastWins)
                    owners[^1] = owner;
                continue;
            }
            points.Add(point);
            owners.Add(owner);
        }
        return (points.ToArray(), owners.ToArray());
    }
}
