using System.IO.Hashing;

namespace SentinelSync.Replication.Cassandra.Protocol.Framing;

/// <summary>
/// The CRC32 trailer of a protocol v5 segment: the usual CRC-32 (zlib's, as System.IO.Hashing computes it), primed with
/// the four bytes FA 2D 55 CA before the payload, as Cassandra does so that an all-zero payload does not hash to zero.
/// </summary>
public static class SegmentCrc32
{
    private static readonly byte[] _prefix = [0xFA, 0x2D, 0x55, 0xCA];

    public static uint Compute(ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32();
        crc.Append(_prefix);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt32();
    }
}
