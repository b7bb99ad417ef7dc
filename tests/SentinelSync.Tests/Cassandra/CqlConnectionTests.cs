using System.Collections.Concurrent;
using System.Net;
using System.Text;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Tests.Cassandra;

/// <summary>One connection against a fake node over real TCP: multiplexing, timeouts, authentication, connection loss.</summary>
public sealed class CqlConnectionTests
{
    private static readonly TimeSpan _generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Answers_sent_out_of_order_reach_their_own_callers()
    {
        const int count = 40;
        var held = new ConcurrentQueue<(short Stream, string Query, Func<byte[], Task> Reply)>();
        var all = new TaskCompletionSource();
        await using var node = Node();
        node.Handler = (header, body, reply) =>
        {
            held.Enqueue((header.StreamId, new CqlReader(body).ReadLongString(), reply));
            if (held.Count == count)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await using var connection = await CqlConnection.OpenAsync("127.0.0.1", node.Port, Options());

        var calls = Enumerable.Range(0, count).Select(i => connection.SendAsync(new QueryRequest($"USE ks{i}", new QueryParameters()))).ToList();
        await all.Task.WaitAsync(_generous);
        held.Select(h => h.Stream).Distinct().Count().ShouldBe(count, "each request in flight has its own stream id");
        foreach (var (stream, query, reply) in held.Reverse())
        {
            await reply(CqlResponseFrames.SetKeyspace(stream, query[4..]));
        }

        var answers = await Task.WhenAll(calls).WaitAsync(_generous);
        answers.Select(a => ((SetKeyspaceResult)a).Keyspace).ShouldBe(Enumerable.Range(0, count).Select(i => $"ks{i}"));
    }

    [Fact]
    public async Task A_request_without_answer_times_out_and_its_stream_is_not_reused_before_the_late_answer()
    {
        Func<byte[], Task>? lateReply = null;
        short lateStream = -1;
        await using var node = Node();
        node.Handler = (header, body, reply) =>
        {
            if (new CqlReader(body).ReadLongString() == "slow")
            {
                (lateReply, lateStream) = (reply, header.StreamId);
                return Task.CompletedTask;
            }

            return reply(CqlResponseFrames.SetKeyspace(header.StreamId, $"stream{header.StreamId}"));
        };
        await using var connection = await CqlConnection.OpenAsync("127.0.0.1", node.Port, Options(maxRequests: 2));

        await Should.ThrowAsync<CqlRequestTimeoutException>(() => connection.SendAsync(new QueryRequest("slow", new QueryParameters()), timeout: TimeSpan.FromMilliseconds(300)));

        connection.InFlight.ShouldBe(1, "the timed-out request keeps its stream until its answer comes");
        var fast = (SetKeyspaceResult)await connection.SendAsync(new QueryRequest("fast", new QueryParameters()));
        fast.Keyspace.ShouldNotBe($"stream{lateStream}", "the only free stream is the other one");
        await lateReply!(CqlResponseFrames.SetKeyspace(lateStream, "late"));
        await Eventually(() => connection.InFlight == 0, "the late answer frees its stream");
        var after = (SetKeyspaceResult)await connection.SendAsync(new QueryRequest("fast", new QueryParameters()));
        after.Keyspace.ShouldStartWith("stream");
    }

    [Fact]
    public async Task Password_authenticator_gets_the_plain_token()
    {
        await using var node = Node();
        node.RequireAuthentication = true;

        await using var connection = await CqlConnection.OpenAsync("127.0.0.1", node.Port, Options(username: "sentinel", password: "s3cret"));

        var token = node.Received.Single(r => r.Opcode == CqlOpcode.AuthResponse).Body;
        Encoding.UTF8.GetString(new CqlReader(token).ReadBytes()!).ShouldBe("\0sentinel\0s3cret");
        var unauthenticated = await Should.ThrowAsync<CqlAuthenticationException>(() => CqlConnection.OpenAsync("127.0.0.1", node.Port, Options()));
        unauthenticated.Message.ShouldContain("no username is configured");
    }

    [Fact]
    public async Task Server_errors_are_thrown_typed_and_the_connection_stays_usable()
    {
        await using var node = Node();
        node.Handler = (header, body, reply) => new CqlReader(body).ReadLongString() == "bad"
            ? reply(CqlResponseFrames.Error(header.StreamId, CqlErrorCode.WriteTimeout, "timed out", w =>
            {
                w.WriteShort((ushort)CqlConsistency.LocalQuorum);
                w.WriteInt(1);
                w.WriteInt(2);
                w.WriteString("UNLOGGED_BATCH");
            }))
            : reply(CqlResponseFrames.Void(header.StreamId));
        await using var connection = await CqlConnection.OpenAsync("127.0.0.1", node.Port, Options());

        var error = await Should.ThrowAsync<CqlWriteTimeoutException>(() => connection.SendAsync(new QueryRequest("bad", new QueryParameters())));

        (error.WriteType, error.Received, error.BlockFor, error.IsTransient).ShouldBe(("UNLOGGED_BATCH", 1, 2, true));
        (await connection.SendAsync(new QueryRequest("good", new QueryParameters()))).ShouldBeOfType<VoidResult>();
    }

    [Fact]
    public async Task Requests_in_flight_fail_with_a_connection_error_when_the_node_goes_away()
    {
        var received = new TaskCompletionSource();
        await using var node = Node();
        node.Handler = (_, _, _) =>
        {
            received.TrySetResult();
            return Task.CompletedTask;
        };
        await using var connection = await CqlConnection.OpenAsync("127.0.0.1", node.Port, Options());

        var pending = connection.SendAsync(new QueryRequest("never answered", new QueryParameters()));
        await received.Task.WaitAsync(_generous);
        node.DropConnections();

        await Should.ThrowAsync<CqlConnectionException>(() => pending.WaitAsync(_generous));
        connection.IsClosed.ShouldBeTrue();
        await Should.ThrowAsync<CqlConnectionException>(() => connection.SendAsync(new OptionsRequest()));
    }

    internal static FakeCqlNode Node(string datacenter = "dc1", params long[] tokens) =>
        new(IPAddress.Loopback, 0, datacenter, tokens.Length == 0 ? [0] : tokens);

    internal static CqlClientOptions Options(int maxRequests = 1024, string? username = null, string? password = null, params string[] contactPoints) => new()
    {
        ContactPoints = contactPoints,
        LocalDatacenter = "dc1",
        MaxRequestsPerConnection = maxRequests,
        Username = username,
        Password = password,
        RequestTimeout = _generous,
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(200),
        ReconnectMaxDelay = TimeSpan.FromSeconds(2),
    };

    internal static Task Eventually(Func<bool> condition, string what) =>
        SentinelSync.Testing.Eventually.WaitAsync(() => Task.FromResult(condition()), _generous, () => what);
}
