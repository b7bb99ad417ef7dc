using System.Text;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Framing;
using SentinelSync.Replication.Cassandra.Protocol.Requests;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// Protocol v5, byte for byte against the DataStax Python driver (python3-cassandra 3.25; the Node.js driver stops at
/// v4): every request envelope, the segments that carry them (CRC24 header, CRC32 trailer, the self-contained flag, a
/// payload cut in two), and both CRCs on their own. Each direction is checked: the driver decodes our segments too.
/// </summary>
public sealed class CqlV5ReferenceTests
{
    private const byte V5 = 5;

    private static PythonDriverReference Reference => PythonDriverReference.Instance;

    public static TheoryData<string> Requests => ["options", "startup", "register", "query-values-paging", "query-null-unset", "prepare", "execute", "batch-unlogged", "batch-serial"];

    [Theory]
    [MemberData(nameof(Requests))]
    public void Each_v5_envelope_matches_the_python_driver(string name)
    {
        var ours = Request(name).Frame(V5, 0);

        Convert.ToHexString(ours).ShouldBe(Convert.ToHexString(Reference.V5Frame(name)), $"v5 '{name}': ours (first) differs from the Python driver's (second)");
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Each_v5_envelope_travels_in_the_same_segment_as_the_python_drivers(string name)
    {
        var ours = new CqlSegmentCodec(lz4: false).Encode(Request(name).Frame(V5, 0));

        Convert.ToHexString(ours).ShouldBe(Convert.ToHexString(Reference.V5Segments(name)));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("compressible")]
    [InlineData("incompressible")]
    [InlineData("two-segments")]
    public async Task Uncompressed_segments_match_the_python_driver_and_decode_both_ways(string name)
    {
        var payload = Payload(name);

        var ours = new CqlSegmentCodec(lz4: false).Encode(payload);

        Convert.ToHexString(ours).ShouldBe(Convert.ToHexString(Reference.Segments(name, lz4: false)));
        var decoded = PythonDriverReference.Decode(("segments", ours)).Single();
        PythonDriverReference.Hex(decoded.GetProperty("payload")).ShouldBe(payload);
        decoded.GetProperty("selfContained").EnumerateArray().Select(e => e.GetBoolean()).ShouldBe(name == "two-segments" ? [false, false] : [true]);
        (await ReadAll(new CqlSegmentCodec(lz4: false), Reference.Segments(name, lz4: false))).ShouldBe(payload);
    }

    [Fact]
    public void A_segment_holds_at_most_128_KiB_minus_one_bytes()
    {
        var segments = new CqlSegmentCodec(lz4: false).Encode(Payload("two-segments"));

        // First header: 131071 bytes, not self-contained (the flag is bit 17 of the 3-byte little-endian header).
        Convert.ToHexString(segments, 0, 3).ShouldBe("FFFF01");
    }

    [Fact]
    public void Crc24_and_crc32_match_the_python_driver()
    {
        foreach (var vector in Reference.Root.GetProperty("crc24").EnumerateArray())
        {
            Crc24.Compute(vector.GetProperty("value").GetUInt64(), vector.GetProperty("length").GetInt32()).ShouldBe(vector.GetProperty("crc").GetInt32());
        }

        foreach (var vector in Reference.Root.GetProperty("crc32").EnumerateArray())
        {
            SegmentCrc32.Compute(PythonDriverReference.Hex(vector.GetProperty("hex"))).ShouldBe(vector.GetProperty("crc").GetUInt32());
        }
    }

    [Theory]
    [InlineData(1, "header")]
    [InlineData(7, "payload")]
    public async Task A_flipped_bit_fails_its_crc(int offset, string part)
    {
        var segments = new CqlSegmentCodec(lz4: false).Encode(Payload("compressible"));
        segments[offset] ^= 0x04;

        var error = await Should.ThrowAsync<CqlProtocolException>(() => ReadAll(new CqlSegmentCodec(lz4: false), segments));

        error.Message.ShouldContain(part == "header" ? "CRC24" : "CRC32");
    }

    internal static async Task<byte[]> ReadAll(CqlSegmentCodec codec, byte[] segments)
    {
        using var stream = new MemoryStream(segments);
        var payload = new MemoryStream();
        while (stream.Position < stream.Length)
        {
            payload.Write((await codec.ReadAsync(stream, CancellationToken.None)).Payload);
        }

        return payload.ToArray();
    }

    /// <summary>The payloads python/reference.py makes (see its payload()).</summary>
    internal static byte[] Payload(string name) => name switch
    {
        "empty" => [],
        "compressible" => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"INSERT INTO shop.orders (id, note) VALUES ({i}, 'the same words again');"))),
        "incompressible" => Incompressible(),
        "two-segments" => [.. Enumerable.Range(0, CqlSegmentCodec.MaxPayloadLength + 1000).Select(i => (byte)(i * 31 % 251))],
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The requests python/reference.py builds with the driver's message classes, here with ours.</summary>
    internal static CqlRequest Request(string name) => name switch
    {
        "options" => new OptionsRequest(),
        "startup" => new StartupRequest([new("DRIVER_NAME", "SentinelSync"), new("DRIVER_VERSION", "1.0.0"), new("COMPRESSION", "lz4"), new("CQL_VERSION", "3.0.0")]),
        "register" => new RegisterRequest(["TOPOLOGY_CHANGE", "STATUS_CHANGE"]),
        "query-values-paging" => new QueryRequest("SELECT * FROM ks.t WHERE id = ? AND name = ?", new QueryParameters
        {
            Consistency = CqlConsistency.LocalQuorum,
            Values = [Value(CqlType.Int, 42), Value(CqlType.Varchar, "ünïcode")],
            PageSize = 500,
            PagingState = Convert.FromHexString("0102030405ff"),
            SerialConsistency = CqlConsistency.LocalSerial,
        }),
        "query-null-unset" => new QueryRequest("INSERT INTO ks.t (id, a, b) VALUES (?, ?, ?) USING TIMESTAMP ?", new QueryParameters
        {
            Consistency = CqlConsistency.Quorum,
            Values = [Value(CqlType.Int, 7), CqlValue.Null, CqlValue.Unset, Value(CqlType.Bigint, 1_700_000_000_000_000L)],
        }),
        "prepare" => new PrepareRequest("SELECT * FROM ks.t WHERE id = ?"),
        "execute" => new ExecuteRequest(Convert.FromHexString("cafebabe"), new QueryParameters
        {
            Consistency = CqlConsistency.LocalQuorum,
            Values = [Value(CqlType.Int, 1), Value(CqlType.Varchar, "one")],
        }, Convert.FromHexString("0badf00d")),
        "batch-unlogged" => new BatchRequest(BatchType.Unlogged,
        [
            BatchStatement.OfPrepared(Convert.FromHexString("b1"), Value(CqlType.Int, 1), Value(CqlType.Varchar, "one")),
            BatchStatement.OfPrepared(Convert.FromHexString("b1"), Value(CqlType.Int, 1), CqlValue.Null),
            BatchStatement.OfQuery("DELETE FROM ks.t USING TIMESTAMP 1700000000000002 WHERE id = ?", Value(CqlType.Int, 2)),
        ], CqlConsistency.LocalQuorum),
        "batch-serial" => new BatchRequest(BatchType.Logged, [BatchStatement.OfQuery("UPDATE ks.t SET v = ? WHERE id = ?", Value(CqlType.Varchar, "x"), Value(CqlType.Int, 3))], CqlConsistency.Quorum)
        {
            SerialConsistency = CqlConsistency.Serial,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static CqlValue Value(CqlType type, object? value) => CqlValue.Of(CqlValueCodec.Encode(type, value));

    private static byte[] Incompressible()
    {
        var seed = 7L;
        var bytes = new byte[5000];
        for (var i = 0; i < bytes.Length; i++)
        {
            seed = (seed * 1103515245 + 12345) & 0x7fffffff;
            bytes[i] = (byte)((seed >> 16) & 0xff);
        }

        return bytes;
    }
}
