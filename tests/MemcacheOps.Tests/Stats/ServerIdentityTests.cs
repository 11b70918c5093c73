using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Tests.Stats;

public sealed class ServerIdentityTests
{
    private static readonly DateTimeOffset Started = DateTimeOffset.FromUnixTimeSeconds(1_714_478_400);

    [Fact]
    public void The_same_run_read_again_is_not_a_restart()
    {
        var first = new ServerIdentity(100, Started);
        Assert.False(new ServerIdentity(100, Started).IsRestartOf(first));
        // memcached's clock has whole seconds: a second either way is the same run.
        Assert.False(new ServerIdentity(100, Started.AddSeconds(1)).IsRestartOf(first));
    }

    [Fact]
    public void Another_pid_or_another_start_time_is_a_restart()
    {
        var first = new ServerIdentity(100, Started);
        Assert.True(new ServerIdentity(101, Started).IsRestartOf(first));
        Assert.True(new ServerIdentity(100, Started.AddSeconds(30)).IsRestartOf(first)); // a container keeps its pid
    }

    [Fact]
    public void Unknown_fields_are_not_compared()
    {
        var recordedWithoutPid = new ServerIdentity(0, Started);
        Assert.False(new ServerIdentity(100, Started).IsRestartOf(recordedWithoutPid));
        Assert.True(new ServerIdentity(100, Started.AddSeconds(30)).IsRestartOf(recordedWithoutPid));
    }
}
