using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Framing;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// LZ4 compression against the DataStax Python driver's compressors (python3-lz4, the reference LZ4 library): v5
/// segments (a bare block, the uncompressed length in the header; a payload that would not shrink goes uncompressed
/// with length 0) and v4 frame bodies (a big-endian length, then the block). Each side decompresses the other's output.
/// </summary>
public sealed class CqlLz4ReferenceTests
{
    private static PythonDriverReference Reference => PythonDriverReference.Instance;

    [Theory]
    [InlineData("empty")]
    [InlineData("compressible")]
    [InlineData("incompressible")]
    [InlineData("two-segments")]
    public async Task Lz4_segments_decode_both_ways(string name)
    {
        var payload = CqlV5ReferenceTests.Payload(name);
        var ours = new CqlSegmentCodec(lz4: true).Encode(payload);

        var decoded = PythonDriverReference.Decode(("lz4segments", ours)).Single();

        PythonDriverReference.Hex(decoded.GetProperty("payload")).ShouldBe(payload, "the Python driver decompresses our segments");
        (await CqlV5ReferenceTests.ReadAll(new CqlSegmentCodec(lz4: true), Reference.Segments(name, lz4: true))).ShouldBe(payload, "we decompress the driver's");
    }

    /// <summary>
    /// Two LZ4 encoders may pick different (equally valid) matches: for the text payload K4os and liblz4 produce blocks
    /// of the same length with different bytes, so only decoding both ways is asserted there. For these two they agree.
    /// </summary>
    [Theory]
    [InlineData("incompressible")]
    [InlineData("two-segments")]
    public void Lz4_segments_are_byte_for_byte_the_python_drivers_where_the_encoders_agree(string name)
    {
        var ours = new CqlSegmentCodec(lz4: true).Encode(CqlV5ReferenceTests.Payload(name));

        Convert.ToHexString(ours).ShouldBe(Convert.ToHexString(Reference.Segments(name, lz4: true)));
    }

    [Fact]
    public void A_payload_that_does_not_shrink_is_sent_uncompressed_with_length_zero()
    {
        var ours = new CqlSegmentCodec(lz4: true).Encode(CqlV5ReferenceTests.Payload("incompressible"));

        // 5-byte header: compressed length 5000 (17 bits), uncompressed length 0 (17 bits), self-contained (bit 34).
        var header = ours.AsSpan(0, 5).ToArray().Select((b, i) => (ulong)b << (8 * i)).Aggregate((a, b) => a | b);
        (header & 0x1FFFF, (header >> 17) & 0x1FFFF, (header >> 34) & 1).ShouldBe((5000UL, 0UL, 1UL));
    }

    [Theory]
    [InlineData("query-values-paging")]
    [InlineData("execute")]
    [InlineData("batch-unlogged")]
    public async Task V4_compressed_frames_decode_both_ways(string name)
    {
        var plain = CqlV5ReferenceTests.Request(name).Frame(4, 0);
        var framer = new CqlFramer(4, Lz4Compression.Name);
        framer.Encode(new SentinelSync.Replication.Cassandra.Protocol.Requests.StartupRequest([new("CQL_VERSION", "3.0.0"), new("COMPRESSION", "lz4")]), 0);
        var ours = framer.Encode(CqlV5ReferenceTests.Request(name), 0);

        ours[1].ShouldBe((byte)CqlFrameFlags.Compression, "a request after STARTUP carries the compression flag");
        var decoded = PythonDriverReference.Decode(("v4lz4body", ours[CqlFrameHeader.Size..])).Single();
        PythonDriverReference.Hex(decoded.GetProperty("payload")).ShouldBe(plain[CqlFrameHeader.Size..], "the Python driver decompresses our body");
        var (header, body) = await new CqlFramer(4, Lz4Compression.Name).ReadAsync(new MemoryStream(Reference.V4Lz4Frame(name)), CancellationToken.None);
        (header.Flags, header.Opcode).ShouldBe((CqlFrameFlags.None, CqlFrameHeader.Read(plain).Opcode));
        body.ShouldBe(plain[CqlFrameHeader.Size..], "we decompress the driver's body");
    }

    [Fact]
    public void Startup_itself_is_never_compressed()
    {
        var framer = new CqlFramer(4, Lz4Compression.Name);

        var startup = framer.Encode(CqlV5ReferenceTests.Request("startup"), 0);

        startup[1].ShouldBe((byte)0);
        framer.Encode(CqlV5ReferenceTests.Request("register"), 1)[1].ShouldBe((byte)CqlFrameFlags.Compression);
        framer.Encode(CqlV5ReferenceTests.Request("options"), 2)[1].ShouldBe((byte)0, "an empty body stays as it is, as the Python driver leaves it");
    }
}
