using System.Globalization;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// The ketama ring of twemproxy (<c>distribution: ketama</c>) and libmemcached's weighted ketama
/// (<see cref="KetamaForm.Libmemcached"/>).
/// <list type="bullet">
/// <item>The hash base is the server's name when one was given; otherwise <c>host</c> when the port is
/// 11211 (kept for libmemcached compatibility) and <c>host:port</c> for any other port.</item>
/// <item>Digests per server = floor(weight/totalWeight x points/4 x serverCount + 1e-10), computed in
/// single-precision float exactly as both C sources do (see <see cref="Digests"/>).</item>
/// <item>Both sort points with C <c>qsort</c> (glibc's is a stable merge sort for such arrays) and search
/// with a lower bound, so on an equal point the server listed first owns it.</item>
/// </list>
/// </summary>
internal sealed class LibmemcachedKetama : KetamaRules
{
    public static readonly LibmemcachedKetama Instance = new();

    public override KetamaForm Form => KetamaForm.Libmemcached;

    public override RingForm RingForm => RingForm.Libmemcached;

    public override bool HasWeights => true;

    public override bool LastListedWinsTies => false;

    public override string HashBase(KetamaNode node)
    {
        if (!string.IsNullOrEmpty(node.Name))
            return node.Name;
        var endpoint = node.Endpoint;
        return endpoint.Port == ServerEndpoint.DefaultPort
            ? endpoint.Host
            : string.Create(CultureInfo.InvariantCulture, $"{endpoint.Host}:{endpoint.Port}");
    }

    /// <summary>
    /// Both twemproxy and libmemcached compute floor(pct x points / 4 x servers + 1e-10) in single
    /// precision, where pct = weight / totalWeight; every step is rounded to float here exactly as there,
    /// because the rounding decides whether a server gets 40 or 39 digests (156 instead of 160 points for
    /// some server counts, for example 25, 47, 50 and 100).
    /// </summary>
    public override int Digests(int weight, long totalWeight, int serverCount, int pointsPerServer)
    {
        var pct = (float)weight / (float)totalWeight;
        var scaled = (float)(pct * pointsPerServer);
        scaled = (float)(scaled / 4);
        scaled = (float)(scaled * (float)serverCount);
        var withEpsilon = (float)(scaled + 0.0000000001);
        return (int)MathF.Floor(withEpsilon);
    }
}
