using SentinelSync.Replication.Cassandra.Protocol.Requests;

namespace SentinelSync.Replication.Cassandra.Protocol.Framing;

/// <summary>
/// How one connection puts frames on the wire and takes them off, by protocol version and negotiated compression.
/// <list type="bullet">
/// <item>v4: plain frames; with LZ4 every frame after STARTUP with a body has it compressed (flag 0x01), and a
/// response body is decompressed whenever its flag says so.</item>
/// <item>v5: plain frames until the STARTUP exchange (OPTIONS, SUPPORTED, STARTUP, READY or AUTHENTICATE); from then on
/// every envelope travels in <see cref="CqlSegmentCodec"/> segments, LZ4-compressed when negotiated. The read side
/// switches after reading READY or AUTHENTICATE; the write side when <see cref="StartSegments"/> is called, after the
/// STARTUP response arrived and before anything else is sent.</item>
/// </list>
/// Writes must be serialized by the caller (one writer at a time); reads come from a single reader loop.
/// </summary>
public sealed class CqlFramer(byte version, string? compression)
{
    private readonly CqlSegmentCodec _segments = new(compression == Lz4Compression.Name);
    private readonly MemoryStream _envelopes = new();
    private bool _compressOut;
    private bool _segmentsOut;
    private bool _segmentsIn;

    public byte Version { get; } = version;

    /// <summary>The negotiated compression (<c>lz4</c>), or null.</summary>
    public string? Compression { get; } = compression;

    /// <summary>The bytes that carry <paramref name="request"/> on <paramref name="streamId"/>.</summary>
    public byte[] Encode(CqlRequest request, short streamId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var frame = request.Frame(Version, streamId);
        if (Version >= 5)
        {
            return _segmentsOut ? _segments.Encode(frame) : frame;
        }

        if (_compressOut && frame.Length > CqlFrameHeader.Size)
        {
            frame = CompressV4(frame);
        }

        if (request.Opcode == CqlOpcode.Startup && Compression is not null)
        {
            // STARTUP itself is never compressed; what follows it is.
            _compressOut = true;
        }

        return frame;
    }

    /// <summary>v5: the STARTUP exchange is over; every later request goes in segments.</summary>
    public void StartSegments() => _segmentsOut = Version >= 5;

    /// <summary>The next frame: its header (compression flag cleared) and its body, decompressed.</summary>
    public async Task<(CqlFrameHeader Header, byte[] Body)> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (!_segmentsIn)
        {
            var headerBytes = new byte[CqlFrameHeader.Size];
            await stream.ReadExactlyAsync(headerBytes, cancellationToken).ConfigureAwait(false);
            var header = CqlFrameHeader.Read(headerBytes);
            var body = new byte[header.BodyLength];
            await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
            if (Version >= 5 && header.Opcode is CqlOpcode.Ready or CqlOpcode.Authenticate)
            {
                _segmentsIn = true;
            }

            return Decompressed(header, body);
        }

        (CqlFrameHeader Header, byte[] Body) envelope;
        while (!TryTakeEnvelope(out envelope))
        {
            var (payload, _) = await _segments.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            _envelopes.Seek(0, SeekOrigin.End);
            _envelopes.Write(payload);
        }

        return envelope;
    }

    private bool TryTakeEnvelope(out (CqlFrameHeader Header, byte[] Body) envelope)
    {
        envelope = default;
        var buffered = _envelopes.GetBuffer().AsSpan(0, (int)_envelopes.Length);
        if (buffered.Length < CqlFrameHeader.Size)
        {
            return false;
        }

        var header = CqlFrameHeader.Read(buffered);
        var length = CqlFrameHeader.Size + header.BodyLength;
        if (buffered.Length < length)
        {
            return false;
        }

        // The envelope's own compression flag is deprecated in v5: compression belongs to the segments.
        envelope = (header with { Flags = header.Flags & ~CqlFrameFlags.Compression }, buffered[CqlFrameHeader.Size..length].ToArray());
        var rest = buffered[length..].ToArray();
        _envelopes.SetLength(0);
        _envelopes.Write(rest);
        return true;
    }

    private (CqlFrameHeader, byte[]) Decompressed(CqlFrameHeader header, byte[] body)
    {
        if ((header.Flags & CqlFrameFlags.Compression) == 0)
        {
            return (header, body);
        }

        if (Compression is null || Version >= 5)
        {
            throw new CqlProtocolException($"a compressed {header.Opcode} frame, though no frame compression was negotiated on this v{Version} connection");
        }

        var plain = Lz4Compression.DecompressBody(body);
        return (header with { Flags = header.Flags & ~CqlFrameFlags.Compression, BodyLength = plain.Length }, plain);
    }

    private static byte[] CompressV4(byte[] frame)
    {
        var header = CqlFrameHeader.Read(frame);
        var body = Lz4Compression.CompressBody(frame.AsSpan(CqlFrameHeader.Size));
        var compressed = new byte[CqlFrameHeader.Size + body.Length];
        (header with { Flags = header.Flags | CqlFrameFlags.Compression, BodyLength = body.Length }).WriteTo(compressed);
        body.CopyTo(compressed, CqlFrameHeader.Size);
        return compressed;
    }
}
