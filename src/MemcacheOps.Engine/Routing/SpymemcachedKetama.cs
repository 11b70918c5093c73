using System.Globalization;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// The ketama ring of EVCache / spymemcached <c>KetamaNodeLocator</c>, the one Netflix cachemover filters
/// with (<see cref="KetamaForm.Spymemcached"/>).
/// <list type="bullet">
/// <item>The hash base mimics Java's <c>InetSocketAddress.toString()</c>: <c>host/host:port</c> by default
/// (cachemover's form), <c>name/ip:port</c> when the client knew the server by a name, and <c>ip:port</c>
/// when it knew none (spymemcached drops the leading '/').</item>
/// <item>Every server gets pointsPerServer / 4 digests (integer division, as the Java and C++ code do).</item>
/// <item>The ring is a sorted map filled server by server and a later insert replaces an earlier one, so on
/// an equal point the server listed last owns it.</item>
/// </list>
/// </summary>
internal sealed class SpymemcachedKetama : KetamaRules
{
    public static readonly SpymemcachedKetama Instance = new();

    public override KetamaForm Form => KetamaForm.Spymemcached;

    public override RingForm RingForm => RingForm.Spymemcached;

    public override bool HasWeights => false;

    public override bool LastListedWinsTies => true;

    public override string HashBase(KetamaNode node)
    {
        var host = node.Endpoint.Host;
        var port = node.Endpoint.Port;
        return node.Name switch
        {
            null => string.Create(CultureInfo.InvariantCulture, $"{host}/{host}:{port}"),
            "" => string.Create(CultureInfo.InvariantCulture, $"{host}:{port}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{node.Name}/{host}:{port}"),
        };
    }

    public override int Digests(int weight, long totalWeight, int serverCount, int pointsPerServer) => pointsPerServer / 4;
}
