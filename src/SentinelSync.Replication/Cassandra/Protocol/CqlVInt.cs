namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// Cassandra's variable-length integers (used by duration): the count of leading 1 bits of the first byte says how
/// many bytes follow; signed values are zig-zag encoded first.
/// </summary>
public static class CqlVInt
{
    public static void WriteSigned(CqlWriter writer, long value) => WriteUnsigned(writer, (ulong)((value << 1) ^ (value >> 63)));

    public static void WriteUnsigned(CqlWriter writer, ulong value)
    {
        var magnitude = 64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        var size = Math.Min(9, 1 + ((magnitude - 1) / 7));
        Span<byte> bytes = stackalloc byte[9];
        for (var i = size - 1; i >= 0; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }

        var extraBytes = size - 1;
        bytes[0] |= (byte)~(0xFF >> extraBytes);
        writer.WriteRaw(bytes[..size]);
    }

    public static long ReadSigned(ReadOnlySpan<byte> source, ref int offset)
    {
        var raw = ReadUnsigned(source, ref offset);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public static ulong ReadUnsigned(ReadOnlySpan<byte> source, ref int offset)
    {
        if (offset >= source.Length)
        {
            throw new CqlProtocolException("a variable-length integer runs past the end of its value");
        }

        var first = source[offset++];
        var extraBytes = System.Numerics.BitOperations.LeadingZeroCount((uint)(byte)~first) - 24;
        if (offset + extraBytes > source.Length)
        {
            throw new CqlProtocolException("a variable-length integer runs past the end of its value");
        }

        ulong value = extraBytes == 8 ? 0u : (uint)(first & (0xFF >> extraBytes));
        for (var i = 0; i < extraBytes; i++)
        {
            value = (value << 8) | source[offset++];
        }

        return value;
    }
}
