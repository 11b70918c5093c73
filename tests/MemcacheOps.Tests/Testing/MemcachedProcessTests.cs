using System.Diagnostics;
using System.Net.Sockets;
using MemcacheOps.Testing;

namespace MemcacheOps.Tests.Testing;

public sealed class MemcachedProcessTests
{
    [Fact]
    public void Started_server_answers_and_stop_ends_its_process()
    {
        var server = MemcachedProcess.Start();
        try
        {
            Assert.True(server.Pid > 0);
            Assert.Equal($"127.0.0.1:{server.Port}", server.Endpoint);
            Assert.StartsWith("VERSION 1.", server.Send("version\r\n"), StringComparison.Ordinal);
            Assert.Contains("STAT pid " + server.Pid + "\r\n", server.Send("stats\r\n", "END\r\n"), StringComparison.Ordinal);
        }
        finally
        {
            server.Stop();
        }

        Assert.True(server.HasExited);
        Assert.False(IsRunning(server.Pid));
        Assert.ThrowsAny<SocketException>(() => server.Send("version\r\n"));
    }

    [Fact]
    public void Kill_ends_the_process_abruptly()
    {
        using var server = MemcachedProcess.Start();

        server.Kill();

        Assert.True(server.HasExited);
        Assert.False(IsRunning(server.Pid));
    }

    [Fact]
    public void Extra_arguments_and_memory_reach_memcached()
    {
        using var server = MemcachedProcess.Start("-c 77", memoryMb: 32);

        var settings = server.Send("stats settings\r\n", "END\r\n");

        Assert.Contains("STAT maxconns 77\r\n", settings, StringComparison.Ordinal);
        Assert.Contains("STAT maxbytes " + (32L << 20) + "\r\n", settings, StringComparison.Ordinal);
        Assert.Contains("STAT udpport 0\r\n", settings, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_servers_get_different_ports()
    {
        using var a = MemcachedProcess.Start();
        using var b = MemcachedProcess.Start();

        Assert.NotEqual(a.Port, b.Port);
        Assert.NotEqual(a.Pid, b.Pid);
    }

    [Fact]
    public void A_server_that_cannot_start_fails_with_its_own_message()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => MemcachedProcess.Start("-I 1k"));

        Assert.Contains("slab_chunk_max", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Send_returns_binary_safe_replies()
    {
        using var server = MemcachedProcess.Start();

        Assert.Equal("HD\r\n", server.Send("ms bin 3\r\n\u00ff\u0000\u0080\r\n"));
        Assert.Equal("VA 3\r\n\u00ff\u0000\u0080\r\n", server.Send("mg bin v\r\n", "\r\n\u00ff\u0000\u0080\r\n"));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
