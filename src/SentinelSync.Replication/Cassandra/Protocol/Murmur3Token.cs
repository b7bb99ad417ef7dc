using System.Buffers.Binary;
using System.Numerics;

namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// The token of a partition key under Cassandra's Murmur3Partitioner: the first 64 bits of MurmurHash3 x64_128
/// (seed 0) as Cassandra computes it, which differs from the reference for keys whose length is not a multiple of
/// 16: the tail bytes are sign-extended (Java bytes are signed). Long.MinValue maps to Long.MaxValue
/// (MinValue is the ring's minimum token, never a key's).
/// </summary>
public static class Murmur3Token
{
    private const ulong C1 = 0x87c37b91114253d5UL;
    private const ulong C2 = 0x4cf5ad432745937fUL;

    public static long Of(ReadOnlySpan<byte> key)
    {
        var length = key.Length;
        var blocks = length / 16;
        ulong h1 = 0, h2 = 0;
        for (var i = 0; i < blocks; i++)
        {
            var k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[(i * 16)..]);
            var k2 = BinaryPrimitives.ReadUInt64LittleEndian(key[((i * 16) + 8)..]);
            h1 ^= MixK1(k1);
            h1 = (BitOperations.RotateLeft(h1, 27) + h2) * 5 + 0x52dce729;
            h2 ^= MixK2(k2);
            h2 = (BitOperations.RotateLeft(h2, 31) + h1) * 5 + 0x38495ab5;
        }

        var tail = key[(blocks * 16)..];
        ulong t1 = 0, t2 = 0;
        for (var i = tail.Length - 1; i >= 8; i--)
        {
            t2 ^= (ulong)(long)(sbyte)tail[i] << ((i - 8) * 8);
        }

        for (var i = Math.Min(tail.Length, 8) - 1; i >= 0; i--)
        {
            t1 ^= (ulong)(long)(sbyte)tail[i] << (i * 8);
        }

        if (tail.Length > 8)
        {
            h2 ^= MixK2(t2);
        }

        if (tail.Length > 0)
        {
            h1 ^= MixK1(t1);
        }

        h1 ^= (ulong)length;
        h2 ^= (ulong)length;
        h1 += h2;
        h2 += h1;
        h1 = FinalMix(h1);
        h2 = FinalMix(h2);
        h1 += h2;
        var token = (long)h1;
        return token == long.MinValue ? long.MaxValue : token;
    }

    /// <summary>
    /// The routing key of a partition key: a single component as is; several as [short length][bytes][0x00] each.
    /// </summary>
    public static byte[] RoutingKey(IReadOnlyList<byte[]> components)
    {
        if (components.Count == 1)
        {
            return components[0];
        }

        var writer = new CqlWriter();
        foreach (var component in components)
        {
            writer.WriteShortBytes(component);
            writer.WriteByte(0);
        }

        return writer.ToArray();
    }

    private static ulong MixK1(ulong k1) => BitOperations.RotateLeft(k1 * C1, 31) * C2;

    private static ulong MixK2(ulong k2) => BitOperations.RotateLeft(k2 * C2, 33) * C1;

    private static ulong FinalMix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
