using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// Reads the protocol's notations from a frame body. Every read checks the remaining length and throws
/// <see cref="CqlProtocolException"/> naming what it was reading, never reads past the body.
/// </summary>
public sealed class CqlReader(ReadOnlyMemory<byte> body)
{
    private readonly ReadOnlyMemory<byte> _body = body;
    private int _position;

    /// <summary>The protocol version of the message being read (v5 added fields to some results and errors).</summary>
    public byte ProtocolVersion { get; init; } = 4;

    public int Remaining => _body.Length - _position;

    public byte ReadByte() => Take(1, "[byte]")[0];

    public ushort ReadShort() => BinaryPrimitives.ReadUInt16BigEndian(Take(2, "[short]"));

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4, "[int]"));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8, "[long]"));

    public string ReadString() => Encoding.UTF8.GetString(Take(ReadShort(), "[string]"));

    public string ReadLongString() => Encoding.UTF8.GetString(Take(CheckedLength(ReadInt(), "[long string]"), "[long string]"));

    /// <summary>[bytes]; null for a negative length.</summary>
    public byte[]? ReadBytes()
    {
        var length = ReadInt();
        return length < 0 ? null : Take(length, "[bytes]").ToArray();
    }

    /// <summary>[bytes] without copying; null for a negative length.</summary>
    public ReadOnlyMemory<byte>? ReadBytesMemory()
    {
        var length = ReadInt();
        if (length < 0)
        {
            return null;
        }

        var start = _position;
        Take(length, "[bytes]");
        return _body.Slice(start, length);
    }

    public byte[] ReadShortBytes() => Take(ReadShort(), "[short bytes]").ToArray();

    public Guid ReadUuid() => new(Take(16, "[uuid]"), bigEndian: true);

    public IReadOnlyList<string> ReadStringList()
    {
        var count = ReadShort();
        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(ReadString());
        }

        return list;
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> ReadStringMultimap()
    {
        var count = ReadShort();
        var map = new Dictionary<string, IReadOnlyList<string>>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            map[ReadString()] = ReadStringList();
        }

        return map;
    }

    public IReadOnlyDictionary<string, byte[]?> ReadBytesMap()
    {
        var count = ReadShort();
        var map = new Dictionary<string, byte[]?>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            map[ReadString()] = ReadBytes();
        }

        return map;
    }

    /// <summary>[inet]: a one-byte address size (4 or 16), the address, then an [int] port.</summary>
    public IPEndPoint ReadInet()
    {
        var size = ReadByte();
        if (size is not (4 or 16))
        {
            throw new CqlProtocolException($"[inet] with an address of {size} bytes (4 or 16 expected)");
        }

        var address = new IPAddress(Take(size, "[inet]"));
        return new IPEndPoint(address, ReadInt());
    }

    /// <summary>[inetaddr]: a one-byte address size (4 or 16), then the address (no port).</summary>
    public IPAddress ReadInetAddress()
    {
        var size = ReadByte();
        return size is 4 or 16
            ? new IPAddress(Take(size, "[inetaddr]"))
            : throw new CqlProtocolException($"[inetaddr] with an address of {size} bytes (4 or 16 expected)");
    }

    private static int CheckedLength(int length, string what) =>
        length >= 0 ? length : throw new CqlProtocolException($"{what} with negative length {length}");

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining)
        {
            throw new CqlProtocolException($"{what} of {count} bytes at offset {_position}, but the body has only {Remaining} left");
        }

        var span = _body.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}
