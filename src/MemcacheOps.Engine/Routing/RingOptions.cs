using System.Globalization;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// How a pool places keys: -RingForm, -PointsPerServer, -HashSalt and -HashWeight (<c>--ring-form</c>,
/// <c>--points-per-server</c>, <c>--hash-salt</c>, <c>--hash-weight</c>). Every operation that places or
/// filters keys by owner takes one of these and turns it into an <see cref="IOwnerLookup"/> with
/// <see cref="Create(IReadOnlyList{KetamaNode})"/>, the only place that chooses an implementation by form.
/// The server list is always taken in the order given: mcrouter pools index into it.
/// </summary>
public sealed record RingOptions
{
    public static readonly RingOptions Default = new();

    public RingForm Form { get; init; } = RingForm.Spymemcached;

    /// <summary>Ketama points per server (cachemover's <c>ketama_bucket_size</c>); null for the default 160. Only ketama forms have points.</summary>
    public int? PointsPerServer { get; init; }

    /// <summary>mcrouter's <c>hash_salt</c>: appended to each routing key before hashing. Only mcrouter forms take a salt.</summary>
    public string? HashSalt { get; init; }

    /// <summary>mcrouter's per-server weights in [0, 1], in server order, for <see cref="RingForm.WeightedCh3"/> (which needs them).</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>True for the forms mcrouter uses, which take a salt and follow its routing-key rules.</summary>
    public bool IsMcrouterForm => Form is RingForm.Ch3 or RingForm.Crc32 or RingForm.WeightedCh3;

    /// <summary>Checks the settings against each other, before any server is contacted.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Form))
            throw Invalid("RingFormUnknown", $"Ring form {(int)Form} is not known. Use Spymemcached, Libmemcached, Ch3, Crc32 or WeightedCh3.");
        if (IsMcrouterForm && PointsPerServer is not null)
        {
            throw Invalid("RingPointsNeedKetama",
                $"-PointsPerServer (--points-per-server) sets the points of a ketama ring; the {Form} form of mcrouter has none. Leave it out, or use -RingForm Spymemcached or Libmemcached.");
        }
        if (!IsMcrouterForm && !string.IsNullOrEmpty(HashSalt))
        {
            throw Invalid("RingSaltNeedsMcrouter",
                $"-HashSalt (--hash-salt) is mcrouter's hash_salt, but the {Form} ketama ring hashes keys without one. Use -RingForm Ch3, Crc32 or WeightedCh3 for an mcrouter pool, or leave the salt out.");
        }
        if (Form == RingForm.WeightedCh3 && Weights is null)
        {
            throw Invalid("RingWeightsMissing",
                "The WeightedCh3 form needs the pool's weights (mcrouter's \"weights\" / hash_weights), one per server in server order: give -HashWeight (--hash-weight), e.g. 1,1,0.5. Without weights mcrouter's plain ch3 is -RingForm Ch3.");
        }
        if (Form != RingForm.WeightedCh3 && Weights is not null)
        {
            throw Invalid("RingWeightsNeedWeightedForm",
                $"-HashWeight (--hash-weight) gives mcrouter's per-server weights, which only the WeightedCh3 form uses, not {Form}. Use -RingForm WeightedCh3 or leave the weights out.");
        }
        if (Weights is not null)
        {
            for (var i = 0; i < Weights.Count; i++)
            {
                var weight = Weights[i];
                if (double.IsNaN(weight) || weight < 0 || weight > 1)
                {
                    throw Invalid("RingWeightOutOfRange",
                        string.Create(CultureInfo.InvariantCulture, $"Weight {i + 1} ({weight}) is outside [0, 1]; mcrouter's weights range from 0 (no keys) to 1 (its full share)."));
                }
            }
        }
    }

    /// <summary>The owner lookup for <paramref name="servers"/>, in the order given.</summary>
    public IOwnerLookup Create(IReadOnlyList<ServerEndpoint> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        return Create(servers.Select(s => new KetamaNode(s)).ToList());
    }

    /// <summary>
    /// The owner lookup for <paramref name="servers"/>, in the order given. Names (<c>name/ip:port</c>)
    /// only change where a ketama ring puts a server's points; mcrouter forms refuse them.
    /// </summary>
    public IOwnerLookup Create(IReadOnlyList<KetamaNode> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Validate();
        if (Form is RingForm.Spymemcached or RingForm.Libmemcached)
        {
            var form = Form == RingForm.Spymemcached ? KetamaForm.Spymemcached : KetamaForm.Libmemcached;
            return new KetamaRing(servers, form, PointsPerServer ?? KetamaRing.DefaultPointsPerServer);
        }
        var endpoints = PoolServers(servers);
        return Form switch
        {
            RingForm.Ch3 => new Ch3Pool(endpoints, HashSalt),
            RingForm.Crc32 => new Crc32Pool(endpoints, HashSalt),
            _ => new WeightedCh3Pool(endpoints, Weights!, HashSalt),
        };
    }

    /// <summary>The settings in words, for plans and manifests.</summary>
    public override string ToString()
    {
        var text = Form.ToString();
        if (PointsPerServer is { } points)
            text += string.Create(CultureInfo.InvariantCulture, $", {points} points per server");
        if (!string.IsNullOrEmpty(HashSalt))
            text += $", hash salt '{HashSalt}'";
        if (Weights is not null)
            text += ", weights " + string.Join(",", Weights.Select(w => w.ToString(CultureInfo.InvariantCulture)));
        return text;
    }

    private IReadOnlyList<ServerEndpoint> PoolServers(IReadOnlyList<KetamaNode> servers)
    {
        if (servers.Count == 0)
        {
            throw Invalid("RingNoServers",
                $"An mcrouter {Form} pool needs its servers: give every server of the pool, in the order of the pool's \"servers\" list.");
        }
        if (servers.Count > FurcHash.MaxPoolSize && Form != RingForm.Crc32)
        {
            throw Invalid("RingTooLarge",
                string.Create(CultureInfo.InvariantCulture, $"A {Form} pool holds at most {FurcHash.MaxPoolSize} servers (furc_hash's limit); {servers.Count} were given."));
        }
        if (Weights is not null && Weights.Count != servers.Count)
        {
            throw Invalid("RingWeightCountMismatch",
                string.Create(CultureInfo.InvariantCulture, $"{Weights.Count} weight(s) were given for {servers.Count} server(s). Give exactly one weight per server, in the same order as the servers."));
        }
        var seen = new HashSet<ServerEndpoint>();
        var endpoints = new ServerEndpoint[servers.Count];
        for (var i = 0; i < servers.Count; i++)
        {
            var node = servers[i];
            if (node.Name is not null)
            {
                throw Invalid("RingServerNameUnsupported",
                    $"'{node}' names a server for a ketama ring, but mcrouter's {Form} pool places keys by position in the list, not by name. Give it as host:port.",
                    node.Endpoint.ToString());
            }
            if (node.Weight != 1)
            {
                throw Invalid("RingServerWeightUnsupported",
                    $"Server {node} has a ketama weight; mcrouter's weights are given with -HashWeight (--hash-weight) and the WeightedCh3 form.",
                    node.Endpoint.ToString());
            }
            if (!seen.Add(node.Endpoint))
            {
                throw Invalid("RingDuplicateServer",
                    $"Server {node.Endpoint} appears more than once in the {Form} pool's server list. List each server once, in the pool's order.",
                    node.Endpoint.ToString());
            }
            endpoints[i] = node.Endpoint;
        }
        return endpoints;
    }

    private static MemcacheException Invalid(string id, string message, string? target = null)
        => new(MemcacheErrorKind.InvalidArgument, id, message, target);
}
