using System.Collections.Concurrent;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Insert bodies of one sink, written in full before they are sent, reuse a few buffers instead of allocating a
/// new one per insert: a body of thousands of rows is megabytes, a fresh large-object-heap array every time, and
/// a stream of them drives full garbage collections on a busy silo. A buffer is returned empty; one kept here is
/// never larger than <see cref="MaxKeptBytes"/>, and at most <see cref="MaxKept"/> are kept (one per insert in
/// flight: applies of several tables and copies run at once).
/// </summary>
internal sealed class ClickHouseBodyBuffers
{
    /// <summary>Buffers kept for reuse at most; more inserts at once allocate their own.</summary>
    internal const int MaxKept = 4;

    /// <summary>A larger buffer (an unusually large batch) is left to the garbage collector.</summary>
    internal const int MaxKeptBytes = 32 << 20;

    private readonly ConcurrentBag<MemoryStream> _kept = [];

    /// <summary>An empty buffer of at least <paramref name="capacity"/> bytes, to give back with <see cref="Return"/>.</summary>
    public MemoryStream Rent(int capacity)
    {
        if (_kept.TryTake(out var buffer))
        {
            if (buffer.Capacity < capacity)
            {
                buffer.Capacity = capacity;
            }

            return buffer;
        }

        return new MemoryStream(capacity);
    }

    /// <summary>Keeps <paramref name="buffer"/> for the next insert (emptied), unless enough are kept or it grew too large.</summary>
    public void Return(MemoryStream buffer)
    {
        buffer.SetLength(0);
        if (buffer.Capacity <= MaxKeptBytes && _kept.Count < MaxKept)
        {
            _kept.Add(buffer);
        }
    }
}
