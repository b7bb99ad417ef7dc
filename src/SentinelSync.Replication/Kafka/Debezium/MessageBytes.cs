namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// A Kafka key or value as <see cref="Head"/> + <see cref="Body"/> + <see cref="Tail"/>. A JSON message with a schema
/// block is <c>{"schema":S,"payload":P}</c>: the head (up to and with <c>"payload":</c>) and tail are the same array
/// for every message of a table shape, so a message costs an array of its payload only, not of the schema block that
/// makes up most of its bytes. The Kafka sink copies the parts into an array librdkafka copies in turn.
/// </summary>
public readonly record struct MessageBytes(byte[]? Head, byte[] Body, byte[]? Tail)
{
    /// <summary>A message kept whole.</summary>
    public MessageBytes(byte[] whole)
        : this(null, whole, null)
    {
    }

    public int Length => (Head?.Length ?? 0) + Body.Length + (Tail?.Length ?? 0);

    /// <summary>Whether the message is its <see cref="Body"/> alone, an array that can be handed on as it is.</summary>
    public bool IsWhole => Head is null && Tail is null;

    /// <summary>Writes the message's bytes to the start of <paramref name="destination"/>, which holds at least <see cref="Length"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        Head.CopyTo(destination);
        var at = Head?.Length ?? 0;
        Body.CopyTo(destination[at..]);
        Tail.CopyTo(destination[(at + Body.Length)..]);
    }

    public byte[] ToArray()
    {
        if (IsWhole)
        {
            return Body;
        }

        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }
}
