using System.Security.Cryptography;
using System.Text;

namespace MemcacheOps.Tests.Routing;

/// <summary>
/// A deliberately plain ketama written from the published descriptions, to check the optimised ring
/// against: strings are built by hand, every point is kept in insertion order, and a lookup scans them all.
/// </summary>
internal sealed class ReferenceKetama
{
    private readonly List<(uint Point, int Owner)> _points = new();
    private readonly bool _lastInsertWins;

    private ReferenceKetama(bool lastInsertWins) => _lastInsertWins = lastInsertWins;

    /// <summary>spymemcached / EVCache: "&lt;base&gt;-&lt;j&gt;" for j below points/4, 4 points per digest, later insert wins a tie.</summary>
    public static ReferenceKetama Spymemcached(IReadOnlyList<string> hashBases, int pointsPerServer = 160)
    {
        var ring = new ReferenceKetama(lastInsertWins: true);
        for (var server = 0; server < hashBases.Count; server++)
        {
            for (var j = 0; j < pointsPerServer / 4; j++)
                ring.AddDigestPoints(hashBases[server] + "-" + j, server);
        }
        return ring;
    }

    /// <summary>twemproxy / weighted libmemcached: digests from the float formula, first insert wins a tie.</summary>
    public static ReferenceKetama Libmemcached(IReadOnlyList<string> hashBases, IReadOnlyList<int> weights, int pointsPerServer = 160)
    {
        var ring = new ReferenceKetama(lastInsertWins: false);
        var totalWeight = weights.Sum();
        for (var server = 0; server < hashBases.Count; server++)
        {
            float pct = weights[server] / (float)totalWeight;
            float perServer = pct * pointsPerServer;
            float quarter = perServer / 4f;
            float scaled = quarter * hashBases.Count;
            double nudged = scaled + 0.0000000001;
            var digests = (int)Math.Floor((float)nudged);
            for (var i = 0; i < digests; i++)
                ring.AddDigestPoints(hashBases[server] + "-" + i, server);
        }
        return ring;
    }

    public static uint KeyHash(byte[] key)
    {
        var digest = MD5.HashData(key);
        return digest[0] | (uint)digest[1] << 8 | (uint)digest[2] << 16 | (uint)digest[3] << 24;
    }

    public int Owner(byte[] key) => OwnerOfHash(KeyHash(key));

    public int OwnerOfHash(uint hash)
    {
        var found = FindCeiling(hash, onlyAtOrAbove: true);
        return found >= 0 ? found : FindCeiling(0, onlyAtOrAbove: true);
    }

    public IEnumerable<(uint Point, int Owner)> AllPoints => _points;

    private int FindCeiling(uint hash, bool onlyAtOrAbove)
    {
        uint best = 0;
        var owner = -1;
        foreach (var (point, server) in _points)
        {
            if (onlyAtOrAbove && point < hash)
                continue;
            if (owner < 0 || point < best || (point == best && _lastInsertWins))
            {
                best = point;
                owner = server;
            }
        }
        return owner;
    }

    private void AddDigestPoints(string text, int server)
    {
        var digest = MD5.HashData(Encoding.UTF8.GetBytes(text));
        for (var k = 0; k < 4; k++)
        {
            var point = digest[4 * k] | (uint)digest[4 * k + 1] << 8 | (uint)digest[4 * k + 2] << 16 | (uint)digest[4 * k + 3] << 24;
            _points.Add((point, server));
        }
    }
}
