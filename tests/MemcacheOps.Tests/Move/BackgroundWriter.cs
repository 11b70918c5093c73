using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Tests.Move;

/// <summary>
/// Live traffic for sync tests: one client that keeps creating new keys, overwriting existing ones with
/// values never used before, and deleting keys, at a bounded rate. It records when each touch of a key
/// was acknowledged, so a test can tell which keys were touched after a given moment.
/// </summary>
internal sealed class BackgroundWriter : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, long> _lastTouched = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _stopGate = new();
    private readonly Task _run;
    private Task? _stopping;

    public BackgroundWriter(string endpoint, IReadOnlyList<byte[]> existingKeys, int operationsPerSecond, int seed)
    {
        _run = Task.Run(() => RunAsync(endpoint, existingKeys.ToList(), operationsPerSecond, seed));
    }

    public int Creates { get; private set; }
    public int Overwrites { get; private set; }
    public int Deletes { get; private set; }

    /// <summary>Keys (hex) whose last touch was acknowledged at or after <paramref name="timestamp"/> (a Stopwatch timestamp).</summary>
    public HashSet<string> TouchedSince(long timestamp)
        => _lastTouched.Where(p => p.Value >= timestamp).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Stops after the operation under way and waits for it; safe to call from several threads.</summary>
    public Task StopAsync()
    {
        lock (_stopGate)
        {
            if (_stopping is null)
            {
                _stop.Cancel();
                _stopping = _run;
            }
            return _stopping;
        }
    }

    private async Task RunAsync(string endpoint, List<byte[]> keys, int operationsPerSecond, int seed)
    {
        var random = new Random(seed);
        using var connection = await MemcachedConnection.OpenAsync(ServerEndpoint.Parse(endpoint), null, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        long done = 0;
        var counter = 0;
        while (!_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var roll = random.Next(10);
            byte[] key;
            string command;
            if (roll < 4 || keys.Count == 0)
            {
                key = Encoding.UTF8.GetBytes($"live:{seed}:{counter}");
                keys.Add(key);
                Creates++;
                command = Store(key, counter, random);
            }
            else if (roll < 8)
            {
                key = keys[random.Next(keys.Count)];
                Overwrites++;
                command = Store(key, counter, random);
            }
            else
            {
                var index = random.Next(keys.Count);
                key = keys[index];
                keys[index] = keys[^1];
                keys.RemoveAt(keys.Count - 1);
                Deletes++;
                command = $"md {Encoding.UTF8.GetString(key)}\r\n";
            }
            counter++;
            await connection.SendAsync(Encoding.UTF8.GetBytes(command), CancellationToken.None);
            var reply = await connection.ReadLineAsync(CancellationToken.None);
            if (reply is not ("HD" or "NF"))
                throw new InvalidOperationException($"background writer got '{reply}' for {command[..Math.Min(command.Length, 60)]}");
            _lastTouched[Convert.ToHexString(key)] = Stopwatch.GetTimestamp();
            done++;
            var due = TimeSpan.FromSeconds((double)done / operationsPerSecond);
            if (due > clock.Elapsed + TimeSpan.FromMilliseconds(5))
                await Task.Delay(due - clock.Elapsed);
        }
    }

    /// <summary>A store whose value is unique to this operation, so every overwrite really changes the item.</summary>
    private static string Store(byte[] key, int counter, Random random)
    {
        var value = $"live-value-{counter}-" + new string('x', random.Next(0, 1500));
        return $"ms {Encoding.UTF8.GetString(key)} {value.Length} T0\r\n{value}\r\n";
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
