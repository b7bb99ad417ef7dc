using SentinelSync.Replication.Kafka.Debezium;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// The arrays a batch's messages are produced from, one per length, reused from one message to the next. Confluent's
/// producer takes a key or value only as a whole array, and librdkafka copies it during <c>Produce</c>, so an array is
/// free again as soon as its message is produced; a new array per message (most of it the schema block every message
/// of a table repeats) was most of what the Kafka sink allocated. Not thread-safe: one per batch being sent.
/// </summary>
public sealed class ExactLengthArrays
{
    private readonly Dictionary<int, byte[]> _byLength = [];

    /// <summary>
    /// <paramref name="bytes"/> as one array: a message kept whole as it is, a framed one copied into this length's
    /// array (valid until the next message of the same length is taken).
    /// </summary>
    public byte[]? Of(MessageBytes? bytes)
    {
        if (bytes is not { } message)
        {
            return null;
        }

        if (message.IsWhole)
        {
            return message.Body;
        }

        if (!_byLength.TryGetValue(message.Length, out var array))
        {
            _byLength[message.Length] = array = new byte[message.Length];
        }

        message.CopyTo(array);
        return array;
    }
}
