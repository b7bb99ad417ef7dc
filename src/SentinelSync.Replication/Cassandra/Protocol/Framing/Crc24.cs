namespace SentinelSync.Replication.Cassandra.Protocol.Framing;

/// <summary>
/// The CRC24 that protects a protocol v5 segment header (spec section 2.1): initial value 0x875060, polynomial
/// 0x1974F0B, over the header's bytes taken least significant first (the header is a little-endian integer).
/// </summary>
public static class Crc24
{
    private const int Initial = 0x875060;
    private const int Polynomial = 0x1974F0B;

    /// <param name="value">The header as an integer (its low <paramref name="length"/> bytes are hashed).</param>
    public static int Compute(ulong value, int length)
    {
        var crc = Initial;
        for (var i = 0; i < length; i++)
        {
            crc ^= (int)(value & 0xFF) << 16;
            value >>= 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc <<= 1;
                if ((crc & 0x1000000) != 0)
                {
                    crc ^= Polynomial;
                }
            }
        }

        return crc & 0xFFFFFF;
    }
}
