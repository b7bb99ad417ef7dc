using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace SentinelSync.Replication.Cassandra.Protocol.Framing;

/// <summary>
/// LZ4 as CQL uses it (raw LZ4 blocks, K4os.Compression.LZ4): protocol v4 compresses a frame body into the
/// uncompressed length as a big-endian [int] followed by the block; protocol v5 compresses segment payloads into a bare
/// block (the uncompressed length is in the segment header).
/// </summary>
public static class Lz4Compression
{
    public const string Name = "lz4";

    /// <summary>A bare LZ4 block of <paramref name="source"/>.</summary>
    public static byte[] CompressBlock(ReadOnlySpan<byte> source)
    {
        var target = new byte[LZ4Codec.MaximumOutputSize(source.Length)];
        var length = LZ4Codec.Encode(source, target);
        return target.AsSpan(0, length).ToArray();
    }

    /// <summary>Decodes a bare block that must expand to exactly <paramref name="uncompressedLength"/> bytes.</summary>
    public static byte[] DecompressBlock(ReadOnlySpan<byte> block, int uncompressedLength)
    {
        var target = new byte[uncompressedLength];
        var decoded = uncompressedLength == 0 && block.Length <= 1 ? 0 : LZ4Codec.Decode(block, target);
        return decoded == uncompressedLength
            ? target
            : throw new CqlProtocolException($"an LZ4 block of {block.Length} bytes did not expand to the {uncompressedLength} bytes announced ({decoded})");
    }

    /// <summary>A v4 frame body: [int] uncompressed length (big-endian), then the block.</summary>
    public static byte[] CompressBody(ReadOnlySpan<byte> body)
    {
        var block = CompressBlock(body);
        var compressed = new byte[4 + block.Length];
        BinaryPrimitives.WriteInt32BigEndian(compressed, body.Length);
        block.CopyTo(compressed, 4);
        return compressed;
    }

    public static byte[] DecompressBody(ReadOnlySpan<byte> compressed)
    {
        if (compressed.Length == 0)
        {
            return [];
        }

        if (compressed.Length < 4)
        {
            throw new CqlProtocolException($"an LZ4-compressed frame body of {compressed.Length} bytes (at least the 4-byte length is needed)");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(compressed);
        return length is < 0 or > CqlFrameHeader.MaxBodyLength
            ? throw new CqlProtocolException($"an LZ4-compressed frame body announcing {length} bytes")
            : DecompressBlock(compressed[4..], length);
    }
}
