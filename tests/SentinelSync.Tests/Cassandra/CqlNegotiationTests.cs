using System.Net;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// The handshake over real TCP against fake nodes: v5 offered first and v4 after a protocol error, v5 segments after
/// STARTUP (with a payload larger than one segment, LZ4 or not), v4 LZ4 frames, and a compression the node does not
/// offer. The bytes of v5 and LZ4 are proven against the Python driver (CqlV5ReferenceTests, CqlLz4ReferenceTests);
/// this shows the connection switching between them at the right moments.
/// </summary>
public sealed class CqlNegotiationTests
{
    private static readonly TimeSpan _generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_v4_only_node_answers_v5_with_a_protocol_error_and_the_client_reconnects_at_v4()
    {
        await using var node = new FakeCqlNode(IPAddress.Loopback, 0, "dc1", [0]);

        await using var connection = await CqlConnection.OpenAsync("127.0.0.1", node.Port, Options()).WaitAsync(_generous);

        connection.ProtocolVersion.ShouldBe((byte)4);
        node.Connections.ShouldBe(2, "the node hung up after the v5 OPTIONS; the client opened a second connection");
        node.Framing.Select(f => $"{f.Opcode} v{f.Version}").ShouldBe(["Options v5", "Options v4", "Startup v4"]);
        (await connection.SendAsync(new QueryRequest("SELECT 1", new QueryParameters()))).ShouldBeOfType<VoidResult>();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("lz4")]
    public async Task A_v5_node_gets_segments_after_startup_both_ways_even_for_a_value_larger_than_a_segment(string? compression)
    {
        await using var node = new FakeCqlNode(IPAddress.Loopback, 0, "dc1", [0]) { MaxProtocolVersion = 5, RequireAuthentication = true };
        node.Compressions.Add("lz4");
        node.Handler = (header, body, reply) =>
        {
            // Echoes the bound value back as a one-row result: a response as large as the request.
            var reader = new CqlReader(body) { ProtocolVersion = 5 };
            reader.ReadLongString();
            reader.ReadShort();
            reader.ReadInt();
            reader.ReadShort();
            var value = System.Text.Encoding.UTF8.GetString(reader.ReadBytes()!);
            return reply(CqlResponseFrames.Rows(header.StreamId, [("v", CqlType.Varchar)], [value]));
        };
        await using var connection = await CqlConnection.OpenAsync("127.0.0.1", node.Port, Options() with { Compression = compression, Username = "u", Password = "p" }).WaitAsync(_generous);
        var big = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i:D6}-x"));

        var rows = (RowsResult)await connection.SendAsync(new QueryRequest("SELECT ?", new QueryParameters { Values = [CqlValue.Of(CqlValueCodec.Encode(CqlType.Varchar, big))] })).WaitAsync(_generous);

        (connection.ProtocolVersion, connection.Compression).ShouldBe(((byte)5, compression));
        node.Connections.ShouldBe(1);
        node.Framing.Select(f => $"{f.Opcode} v{f.Version}{(f.Segmented ? " segmented" : "")}")
            .ShouldBe(["Options v5", "Startup v5", "AuthResponse v5 segmented", "Query v5 segmented"]);
        rows.Rows.Single()[0].ShouldBe(big);
    }

    [Fact]
    public async Task A_v4_node_with_lz4_gets_compressed_bodies_after_startup_and_sends_compressed_answers()
    {
        await using var node = new FakeCqlNode(IPAddress.Loopback, 0, "dc1", [0]);
        node.Compressions.Add("lz4");
        node.Handler = (header, _, reply) => reply(CqlResponseFrames.Rows(header.StreamId, [("v", CqlType.Varchar)], [new string('a', 5000)]));
        await using var connection = await CqlConnection.OpenAsync("127.0.0.1", node.Port, Options() with { ProtocolVersion = 4, Compression = "lz4" }).WaitAsync(_generous);

        var rows = (RowsResult)await connection.SendAsync(new QueryRequest("SELECT v FROM t", new QueryParameters())).WaitAsync(_generous);

        rows.Rows.Single()[0].ShouldBe(new string('a', 5000));
        node.Framing.Select(f => $"{f.Opcode} v{f.Version}{(f.Compressed ? " lz4" : "")}").ShouldBe(["Options v4", "Startup v4", "Query v4 lz4"]);
    }

    [Fact]
    public async Task A_compression_the_node_does_not_offer_is_a_clear_error()
    {
        await using var node = new FakeCqlNode(IPAddress.Loopback, 0, "dc1", [0]);
        node.Compressions.Add("snappy");

        var error = await Should.ThrowAsync<CqlProtocolException>(() => CqlConnection.OpenAsync("127.0.0.1", node.Port, Options() with { Compression = "lz4" }));

        error.Message.ShouldContain("offers compression [snappy] but 'lz4' is configured");
    }

    [Fact]
    public async Task A_pinned_v5_is_not_downgraded()
    {
        await using var node = new FakeCqlNode(IPAddress.Loopback, 0, "dc1", [0]);

        var error = await Should.ThrowAsync<CqlProtocolVersionException>(() => CqlConnection.OpenAsync("127.0.0.1", node.Port, Options() with { ProtocolVersion = 5 }));

        error.Message.ShouldContain("refused the protocol v5 handshake: Invalid or unsupported protocol version (5)");
        SentinelSync.Replication.Cassandra.CassandraErrorClassifier.IsTransient(error).ShouldBeTrue("the node is at fault, not the data: the sink waits");
    }

    [Fact]
    public async Task A_session_speaks_the_version_its_control_connection_agreed_on_everywhere()
    {
        await using var node = new FakeCqlNode(IPAddress.Loopback, 0, "dc1", [0]) { MaxProtocolVersion = 5 };
        await using var session = await CqlSession.ConnectAsync(Options() with { ContactPoints = [$"127.0.0.1:{node.Port}"], LocalDatacenter = "dc1" }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).WaitAsync(_generous);

        await session.QueryAsync("SELECT 1").WaitAsync(_generous);

        node.Framing.Where(f => f.Opcode == CqlOpcode.Options).Select(f => f.Version).ShouldBe([5, 5], "the data connection offers v5 straight away, without a second negotiation");
        node.Framing.ShouldAllBe(f => f.Version == 5);
    }

    private static CqlClientOptions Options() => new() { RequestTimeout = _generous, ConnectTimeout = _generous };
}
