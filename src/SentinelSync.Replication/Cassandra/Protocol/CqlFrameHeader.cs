using System.Buffers.Binary;

namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// The 9-byte header of a protocol v3/v4 frame or a v5 envelope: version (its high bit set on responses), flags, a signed 16-bit
/// stream id, the opcode and the body's length.
/// </summary>
public readonly record struct CqlFrameHeader(byte Version, CqlFrameFlags Flags, short StreamId, CqlOpcode Opcode, int BodyLength)
{
    public const int Size = 9;

    /// <summary>The largest body the protocol allows (256 MiB); a larger length means a broken stream.</summary>
    public const int MaxBodyLength = 256 * 1024 * 1024;

    public bool IsResponse => (Version & 0x80) != 0;

    public int ProtocolVersion => Version & 0x7F;

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Version;
        destination[1] = (byte)Flags;
        BinaryPrimitives.WriteInt16BigEndian(destination[2..], StreamId);
        destination[4] = (byte)Opcode;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], BodyLength);
    }

    public static CqlFrameHeader Read(ReadOnlySpan<byte> source)
    {
        var header = new CqlFrameHeader(
            source[0],
            (CqlFrameFlags)source[1],
            BinaryPrimitives.ReadInt16BigEndian(source[2..]),
            (CqlOpcode)source[4],
            BinaryPrimitives.ReadInt32BigEndian(source[5..]));
        if (header.ProtocolVersion is < 3 or > 5)
        {
            throw new CqlProtocolException($"frame header with protocol version {header.ProtocolVersion}: this client speaks v4 and v5 (a stream that is not CQL, or out of step)");
        }

        if (header.BodyLength is < 0 or > MaxBodyLength)
        {
            throw new CqlProtocolException($"frame header with body length {header.BodyLength} (allowed 0..{MaxBodyLength})");
        }

        return header;
    }
}
