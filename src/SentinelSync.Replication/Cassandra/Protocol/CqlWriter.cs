using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// Writes the protocol's notations (section 3 of the v4 spec) big-endian into a growing buffer: [short], [int],
/// [long], [string], [long string], [bytes], [short bytes], [value], [string list], [string map].
/// </summary>
public sealed class CqlWriter
{
    /// <summary>[value] length meaning "not set" (v4): the bound variable keeps no value at all, unlike null.</summary>
    public const int UnsetLength = -2;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>The protocol version of the message being written (v5 widened some flags and added fields).</summary>
    public byte ProtocolVersion { get; init; } = 4;

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteShort(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
    }

    public void WriteInt(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteLong(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>[string]: a [short] byte count, then UTF-8.</summary>
    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        if (count > ushort.MaxValue)
        {
            throw new ArgumentException($"a [string] holds at most {ushort.MaxValue} UTF-8 bytes, this one has {count}", nameof(value));
        }

        WriteShort((ushort)count);
        _buffer.Advance(Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count)));
    }

    /// <summary>[long string]: an [int] byte count, then UTF-8 (query strings).</summary>
    public void WriteLongString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt(count);
        _buffer.Advance(Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count)));
    }

    /// <summary>[bytes]: an [int] length, -1 for null.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt(value.Length);
        WriteRaw(value);
    }

    /// <summary>[bytes] or [value] from an encoded value: null writes length -1, <see cref="CqlValue.Unset"/> -2.</summary>
    public void WriteValue(CqlValue value)
    {
        if (value.IsUnset)
        {
            WriteInt(UnsetLength);
        }
        else if (value.Bytes is null)
        {
            WriteInt(-1);
        }
        else
        {
            WriteBytes(value.Bytes);
        }
    }

    /// <summary>[short bytes]: a [short] length (prepared statement ids).</summary>
    public void WriteShortBytes(ReadOnlySpan<byte> value)
    {
        WriteShort(checked((ushort)value.Length));
        WriteRaw(value);
    }

    public void WriteStringList(IReadOnlyCollection<string> values)
    {
        WriteShort(checked((ushort)values.Count));
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    /// <summary>[string map], entries in the given order (order changes no meaning, but it changes the bytes).</summary>
    public void WriteStringMap(IReadOnlyCollection<KeyValuePair<string, string>> entries)
    {
        WriteShort(checked((ushort)entries.Count));
        foreach (var (key, value) in entries)
        {
            WriteString(key);
            WriteString(value);
        }
    }
}
