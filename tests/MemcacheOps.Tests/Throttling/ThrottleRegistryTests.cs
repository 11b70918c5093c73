using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Tests.Throttling;

public class ThrottleRegistryTests
{
    [Fact]
    public void Every_connection_to_one_server_gets_the_same_throttle()
    {
        var registry = new ThrottleRegistry(new ThrottleLimits { OperationsPerSecond = 500 }, new ManualTimeProvider());
        var first = registry.GetThrottle(ServerEndpoint.Parse("Cache-A:11211"));
        Assert.Same(first, registry.GetThrottle(ServerEndpoint.Parse("cache-a")));
        Assert.NotSame(first, registry.GetThrottle(ServerEndpoint.Parse("cache-b:11211")));
        Assert.NotSame(first, registry.GetThrottle(ServerEndpoint.Parse("cache-a:11212")));
        Assert.Equal(500, first.Limits.OperationsPerSecond);
        Assert.Equal(3, registry.Throttles.Count);
    }

    [Fact]
    public async Task Concurrent_first_use_still_yields_one_throttle_per_server()
    {
        var registry = new ThrottleRegistry(new ThrottleLimits { BytesPerSecond = 1e6 });
        var server = ServerEndpoint.Parse("10.0.0.1:11211");
        var seen = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => registry.GetThrottle(server))))
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(seen, throttle => Assert.Same(seen[0], throttle));
    }

    [Fact]
    public void Servers_share_nothing_but_the_limits()
    {
        var clock = new ManualTimeProvider();
        var registry = new ThrottleRegistry(new ThrottleLimits { OperationsPerSecond = 100 }, clock);
        var a = registry.GetThrottle(ServerEndpoint.Parse("a:1"));
        var b = registry.GetThrottle(ServerEndpoint.Parse("b:1"));
        Assert.True(a.Ask(10, 0, CancellationToken.None).IsCompletedSuccessfully);
        Assert.False(a.Ask(1, 0, CancellationToken.None).IsCompleted);
        Assert.True(b.Ask(10, 0, CancellationToken.None).IsCompletedSuccessfully);
    }
}
