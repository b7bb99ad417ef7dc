using System.Buffers.Binary;

namespace SentinelSync.Replication.Cassandra.Protocol.Framing;

/// <summary>
/// Protocol v5's outer framing (spec section 2): after the STARTUP exchange, envelopes (the v4-style frames) travel in
/// segments of at most 128 KiB - 1 payload bytes. A segment is a little-endian header (uncompressed: 17 bits payload
/// length and the self-contained flag, 3 bytes; LZ4: 17 bits compressed length, 17 bits uncompressed length and the
/// flag, 5 bytes), the header's <see cref="Crc24"/> (3 bytes), the payload, and its <see cref="SegmentCrc32"/>
/// (4 bytes). A self-contained segment holds whole envelopes; a larger envelope is cut into segments that are not.
/// With LZ4 a payload that would not shrink is sent as is, with uncompressed length 0.
/// </summary>
public sealed class CqlSegmentCodec(bool lz4)
{
    public const int MaxPayloadLength = (1 << 17) - 1;
    private const int CrcLength = 3;
    private const int TrailerLength = 4;

    public bool Lz4 { get; } = lz4;

    /// <summary>Bytes of the header before its CRC24.</summary>
    public int HeaderLength => Lz4 ? 5 : 3;

    /// <summary>Segments carrying <paramref name="envelopes"/>: one self-contained segment when they fit, else pieces.</summary>
    public byte[] Encode(ReadOnlySpan<byte> envelopes)
    {
        var output = new MemoryStream(envelopes.Length + 16);
        var selfContained = envelopes.Length <= MaxPayloadLength;
        for (var offset = 0; offset == 0 || offset < envelopes.Length; offset += MaxPayloadLength)
        {
            WriteSegment(output, envelopes.Slice(offset, Math.Min(MaxPayloadLength, envelopes.Length - offset)), selfContained);
        }

        return output.ToArray();
    }

    /// <summary>Reads one segment from <paramref name="stream"/>, checks both CRCs, and returns its (decompressed) payload.</summary>
    public async Task<(byte[] Payload, bool SelfContained)> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength + CrcLength];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var value = ReadLittleEndian(header.AsSpan(0, HeaderLength));
        var crc = (int)ReadLittleEndian(header.AsSpan(HeaderLength, CrcLength));
        if (Crc24.Compute(value, HeaderLength) != crc)
        {
            throw new CqlProtocolException($"a v5 segment header {Convert.ToHexString(header, 0, HeaderLength)} fails its CRC24 (the stream is corrupt or out of step)");
        }

        var payloadLength = (int)(value & MaxPayloadLength);
        var uncompressedLength = Lz4 ? (int)((value >> 17) & MaxPayloadLength) : 0;
        var selfContained = ((value >> (Lz4 ? 34 : 17)) & 1) != 0;
        var body = new byte[payloadLength + TrailerLength];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        var payload = body.AsSpan(0, payloadLength);
        if (SegmentCrc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(payloadLength)))
        {
            throw new CqlProtocolException($"a v5 segment payload of {payloadLength} bytes fails its CRC32");
        }

        return (uncompressedLength > 0 ? Lz4Compression.DecompressBlock(payload, uncompressedLength) : payload.ToArray(), selfContained);
    }

    private void WriteSegment(MemoryStream output, ReadOnlySpan<byte> payload, bool selfContained)
    {
        ReadOnlySpan<byte> sent = payload;
        ulong uncompressedLength = 0;
        if (Lz4)
        {
            var compressed = Lz4Compression.CompressBlock(payload);
            if (compressed.Length < payload.Length)
            {
                sent = compressed;
                uncompressedLength = (ulong)payload.Length;
            }
        }

        var value = (uint)sent.Length | (uncompressedLength << 17);
        value |= (selfContained ? 1UL : 0) << (Lz4 ? 34 : 17);
        Span<byte> header = stackalloc byte[8];
        WriteLittleEndian(header, value, HeaderLength);
        WriteLittleEndian(header[HeaderLength..], (ulong)Crc24.Compute(value, HeaderLength), CrcLength);
        output.Write(header[..(HeaderLength + CrcLength)]);
        output.Write(sent);
        Span<byte> trailer = stackalloc byte[TrailerLength];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, SegmentCrc32.Compute(sent));
        output.Write(trailer);
    }

    private static ulong ReadLittleEndian(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    private static void WriteLittleEndian(Span<byte> destination, ulong value, int length)
    {
        for (var i = 0; i < length; i++)
        {
            destination[i] = (byte)(value >> (8 * i));
        }
    }
}
