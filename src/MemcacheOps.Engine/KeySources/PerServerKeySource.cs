using System.Globalization;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Engine.KeySources;

/// <summary>
/// Keys given per server, as key objects piped from a listing of several servers carry them
/// (<c>Get-MemcacheKeys a, b | Export-MemcacheData</c>): each server is asked only for the keys listed on
/// it, so a key is never counted missing because it was asked of a server that never had it.
/// </summary>
internal sealed class PerServerKeySource(IReadOnlyDictionary<string, KeySource> byServer) : KeySource
{
    public override bool IsListing => false;

    public override long? Count => byServer.Values.Sum(s => s.Count ?? 0);

    public override string Description
        => string.Create(CultureInfo.InvariantCulture, $"{Count:N0} given keys, each asked of the server it was listed on ({byServer.Count:N0} servers)");

    public override Task<ListingSummary> ListAsync(ServerEndpoint server, ListingOptions options, IListingChunkSink sink,
        IOperationSink diagnostics, CancellationToken cancellationToken)
    {
        if (byServer.TryGetValue(server.ToString(), out var own))
            return own.ListAsync(server, options, sink, diagnostics, cancellationToken);
        var missing = new MemcacheException(MemcacheErrorKind.InvalidArgument, "KeysNotGivenForServer",
            $"No keys were given for server {server}: keys piped from a listing are asked only of the server they were listed on. Name only the servers the keys came from.",
            server.ToString());
        sink.Complete(missing);
        return Task.FromException<ListingSummary>(missing);
    }
}
