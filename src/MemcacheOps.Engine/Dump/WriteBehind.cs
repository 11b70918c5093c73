using System.Runtime.ExceptionServices;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Hashes and writes full buffers on a thread of its own, one buffer at a time, so the thread that
/// fills them (a connection's reader) goes on receiving while the previous buffer is checksummed and
/// written. It is a dedicated thread, not the thread pool, so blocking on it can never starve the pool.
/// </summary>
internal sealed class WriteBehind : IDisposable
{
    private readonly object _gate = new();
    private readonly WriteAction _write;
    private readonly Thread _thread;
    private byte[]? _work;
    private int _length;
    private bool _stopping;
    private ExceptionDispatchInfo? _error;

    public delegate void WriteAction(ReadOnlySpan<byte> bytes);

    public WriteBehind(WriteAction write, string name)
    {
        _write = write;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>
    /// Hands <paramref name="buffer"/> over for writing, after waiting until the previous one is written
    /// (so the caller may reuse that one). Rethrows the failure of an earlier write.
    /// </summary>
    public void Submit(byte[] buffer, int length)
    {
        lock (_gate)
        {
            WaitIdle();
            _work = buffer;
            _length = length;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until everything submitted is written; rethrows a write failure.</summary>
    public void Drain()
    {
        lock (_gate)
            WaitIdle();
    }

    private void WaitIdle()
    {
        while (_work is not null && _error is null)
            Monitor.Wait(_gate);
        _error?.Throw();
    }

    private void Run()
    {
        while (true)
        {
            byte[] work;
            int length;
            lock (_gate)
            {
                while (_work is null && !_stopping)
                    Monitor.Wait(_gate);
                if (_work is null)
                    return;
                work = _work;
                length = _length;
            }
            try
            {
                _write(work.AsSpan(0, length));
            }
            catch (Exception ex)
            {
                lock (_gate)
                    _error = ExceptionDispatchInfo.Capture(ex);
            }
            lock (_gate)
            {
                _work = null;
                Monitor.PulseAll(_gate);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }
}
