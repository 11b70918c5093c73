using MemcacheOps.Testing;

namespace MemcacheOps.Tests.Acceptance;

/// <summary>One memcached holding the full 200,000-key reference data set (535 MiB), shared by the acceptance tests.</summary>
public sealed class ReferenceSetFixture : IAsyncLifetime
{
    public const int Count = ReferenceDataSet.DefaultCount;

    public MemcachedProcess Source { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Source = MemcachedProcess.Start(memoryMb: 1024);
        var loaded = await DataSetLoader.LoadAsync(Source, 0, Count, timeout: TimeSpan.FromMinutes(3));
        Assert.Equal(Count, loaded.Items);
    }

    public Task DisposeAsync()
    {
        Source.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class ReferenceSetCollection : ICollectionFixture<ReferenceSetFixture>
{
    public const string Name = "reference set";
}
