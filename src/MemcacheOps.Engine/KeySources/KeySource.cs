using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Engine.KeySources;

/// <summary>
/// Where the keys of an export, a comparison or a move come from: the server's own listing
/// (<c>lru_crawler metadump</c>, with its fallbacks), or keys the user gives (a key file, keys piped in,
/// <c>-Key</c>) for servers that do not list their keys (started with <c>-X</c>, ElastiCache 1.6.17+,
/// ElastiCache Serverless). Every source writes the same metadump-shaped lines into an
/// <see cref="IListingChunkSink"/>, so everything downstream is one code path. Given keys are looked up
/// first (pipelined <c>mg &lt;key&gt; s f t c q u</c>, no values), so the lines carry the real CAS, expiry
/// and size of the keys the server holds, and the keys it lacks are counted as missing
/// (<see cref="ListingSummary.Missing"/>).
/// </summary>
public abstract class KeySource
{
    /// <summary>The server's own listing.</summary>
    public static KeySource Listing { get; } = new ServerListingSource();

    /// <summary>True for the server's own listing; false for keys given by the user.</summary>
    public abstract bool IsListing { get; }

    /// <summary>How many keys were given; null for a listing.</summary>
    public virtual long? Count => null;

    /// <summary>Where the keys come from, for notes and plans ("key file 'keys.txt' (20,000 keys)").</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Writes the keys of <paramref name="server"/> into <paramref name="sink"/> as metadump lines and
    /// completes the sink (with the failure, if any). Never applies back-pressure to a server listing.
    /// </summary>
    public abstract Task<ListingSummary> ListAsync(ServerEndpoint server, ListingOptions options, IListingChunkSink sink,
        IOperationSink diagnostics, CancellationToken cancellationToken);

    /// <summary>Keys from a key file (see <see cref="KeyFileReader"/> for its format); reads it through once now, so a bad line fails before any work.</summary>
    public static KeySource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var count = GivenKeySource.CountKeys(full);
        return new GivenKeySource(full, count, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"key file '{full}' ({count:N0} keys)"));
    }

    /// <summary>
    /// Keys given per server ("host:port" as <see cref="ServerEndpoint.ToString"/> writes it): each server is
    /// asked only for its own keys, as key objects piped from a listing of several servers carry them.
    /// </summary>
    public static KeySource PerServer(IReadOnlyDictionary<string, KeySource> byServer)
    {
        ArgumentNullException.ThrowIfNull(byServer);
        return new PerServerKeySource(byServer);
    }

    public override string ToString() => Description;

    private sealed class ServerListingSource : KeySource
    {
        public override bool IsListing => true;

        public override string Description => "the server's key listing";

        public override Task<ListingSummary> ListAsync(ServerEndpoint server, ListingOptions options, IListingChunkSink sink,
            IOperationSink diagnostics, CancellationToken cancellationToken)
            => MetadumpDrainer.RunAsync(server, options, sink, diagnostics, cancellationToken);
    }
}
