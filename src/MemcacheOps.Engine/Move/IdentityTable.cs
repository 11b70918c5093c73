using System.Runtime.CompilerServices;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// An open-addressing hash table from key identities (<see cref="KeyIdentity"/>: MD5 digests, so their
/// low bits are already uniformly spread and serve as the slot index) to a value struct. It replaces a
/// <c>Dictionary</c> on the move's per-key path: no hashing of the 128-bit key, no bucket indirection,
/// linear probing within one cache line or two, and code optimised on its first call instead of passing
/// through the runtime's tiers while a short move runs. Removal leaves a tombstone, so entries can be
/// removed while enumerating; tombstones are dropped when the table is rebuilt. Single-threaded.
/// </summary>
internal sealed class IdentityTable<TValue> where TValue : struct
{
    private const byte Empty = 0;
    private const byte Full = 1;
    private const byte Removed = 2;
    private const int MinimumCapacity = 1024;

    private UInt128[] _ids;
    private TValue[] _values;
    private byte[] _states;
    private int _mask;
    private int _count;
    private int _removed;

    public IdentityTable()
    {
        _ids = new UInt128[MinimumCapacity];
        _values = new TValue[MinimumCapacity];
        _states = new byte[MinimumCapacity];
        _mask = MinimumCapacity - 1;
    }

    public int Count => _count;

    /// <summary>The value stored for <paramref name="id"/>, added as default when absent (<paramref name="exists"/> false).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ref TValue GetOrAdd(UInt128 id, out bool exists)
    {
        // Rebuild before the load (entries plus tombstones) passes 3/4, so probes stay short and end.
        if ((_count + _removed + 1) * 4L > _states.Length * 3L)
            Rebuild();
        var states = _states;
        var ids = _ids;
        var slot = (int)(ulong)id & _mask;
        var reusable = -1;
        while (true)
        {
            var state = states[slot];
            if (state == Empty)
                break;
            if (state == Full && ids[slot] == id)
            {
                exists = true;
                return ref _values[slot];
            }
            if (state == Removed && reusable < 0)
                reusable = slot;
            slot = (slot + 1) & _mask;
        }
        if (reusable >= 0)
        {
            slot = reusable;
            _removed--;
        }
        states[slot] = Full;
        ids[slot] = id;
        _values[slot] = default;
        _count++;
        exists = false;
        return ref _values[slot];
    }

    /// <summary>The value stored for <paramref name="id"/>, or a null reference (<see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ref TValue Find(UInt128 id)
    {
        var slot = FindSlot(id);
        if (slot < 0)
            return ref Unsafe.NullRef<TValue>();
        return ref _values[slot];
    }

    public bool Remove(UInt128 id)
    {
        var slot = FindSlot(id);
        if (slot < 0)
            return false;
        RemoveAt(slot);
        return true;
    }

    /// <summary>Calls <paramref name="visit"/> for every entry; entries it returns true for are removed.</summary>
    public void RemoveWhere<TState>(TState state, EntryPredicate<TState> visit)
    {
        var states = _states;
        for (var slot = 0; slot < states.Length; slot++)
        {
            if (states[slot] == Full && visit(state, _ids[slot], ref _values[slot]))
                RemoveAt(slot);
        }
    }

    public delegate bool EntryPredicate<TState>(TState state, UInt128 id, ref TValue value);

    private int FindSlot(UInt128 id)
    {
        var states = _states;
        var ids = _ids;
        var slot = (int)(ulong)id & _mask;
        while (true)
        {
            var state = states[slot];
            if (state == Empty)
                return -1;
            if (state == Full && ids[slot] == id)
                return slot;
            slot = (slot + 1) & _mask;
        }
    }

    private void RemoveAt(int slot)
    {
        _states[slot] = Removed;
        _values[slot] = default;
        _count--;
        _removed++;
    }

    /// <summary>Re-inserts the entries into a table sized for them (doubling when more than half full), without tombstones.</summary>
    private void Rebuild()
    {
        var capacity = _states.Length;
        while ((_count + 1) * 2L > capacity)
            capacity *= 2;
        var oldIds = _ids;
        var oldValues = _values;
        var oldStates = _states;
        _ids = new UInt128[capacity];
        _values = new TValue[capacity];
        _states = new byte[capacity];
        _mask = capacity - 1;
        _removed = 0;
        for (var i = 0; i < oldStates.Length; i++)
        {
            if (oldStates[i] != Full)
                continue;
            var slot = (int)(ulong)oldIds[i] & _mask;
            while (_states[slot] != Empty)
                slot = (slot + 1) & _mask;
            _states[slot] = Full;
            _ids[slot] = oldIds[i];
            _values[slot] = oldValues[i];
        }
    }
}
