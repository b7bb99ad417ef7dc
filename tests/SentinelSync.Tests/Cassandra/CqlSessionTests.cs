using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using static SentinelSync.Tests.Cassandra.CqlConnectionTests;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// The session against fake nodes on 127.0.0.1, .2 and .3 (all loopback on Linux, one port): topology from
/// system.local/peers, token-aware and datacenter-aware routing, re-prepare on UNPREPARED, failover and reconnection.
/// </summary>
public sealed class CqlSessionTests
{
    private static readonly (string, CqlType)[] _keyAndValue = [("id", CqlType.Int), ("v", CqlType.Varchar)];

    [Fact]
    public async Task Writes_go_to_the_owner_of_their_token_in_the_local_datacenter_only()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var session = await CqlSession.ConnectAsync(Options(contactPoints: $"127.0.0.1:{cluster.Port}"), NullLogger.Instance);
        session.Hosts.Select(h => (h.Address, h.Datacenter)).ShouldBe([("127.0.0.1", "dc1"), ("127.0.0.2", "dc1"), ("127.0.0.3", "dc2")], ignoreOrder: true);
        var insert = await session.PrepareAsync("INSERT INTO ks.t (id, v) VALUES (?, ?)");

        for (var id = 0; id < 40; id++)
        {
            await session.ExecuteAsync(insert, [id, "x"], CqlConsistency.LocalQuorum);
        }

        foreach (var node in cluster.Nodes)
        {
            var executed = node.Received.Where(r => r.Opcode == CqlOpcode.Execute).Select(r => IdOf(r.Body))
                .Where(id => cluster.OwnerOf(id) is not null).ToList();
            var owned = Enumerable.Range(0, 40).Where(id => cluster.OwnerOf(id) == node).ToList();
            executed.ShouldBe(owned, $"{node.Address} ({node.Datacenter}) runs exactly the keys of dc1 that its token range owns");
        }

        var ownedByRemote = Enumerable.Range(0, 40).Where(id => cluster.OwnerOf(id) is null).ToList();
        ownedByRemote.ShouldNotBeEmpty("the corpus has keys in dc2's range");
        cluster.Nodes.Take(2).Sum(n => n.Received.Count(r => r.Opcode == CqlOpcode.Execute && ownedByRemote.Contains(IdOf(r.Body))))
            .ShouldBe(ownedByRemote.Count, "keys of the remote node's range run once each, on a local node");

        cluster.Nodes[2].Received.ShouldNotContain(r => r.Opcode == CqlOpcode.Execute, "dc2 is remote");
    }

    [Fact]
    public async Task An_unprepared_statement_is_prepared_again_on_that_node_and_run()
    {
        await using var node = Node();
        var executes = 0;
        node.Handler = (header, body, reply) => header.Opcode switch
        {
            CqlOpcode.Prepare => reply(CqlResponseFrames.Prepared(header.StreamId, [0xAB, 0xCD], _keyAndValue, 0)),
            CqlOpcode.Execute when Interlocked.Increment(ref executes) == 1 =>
                reply(CqlResponseFrames.Error(header.StreamId, CqlErrorCode.Unprepared, "Prepared query with ID abcd not found", w => w.WriteShortBytes([0xAB, 0xCD]))),
            _ => reply(CqlResponseFrames.Void(header.StreamId)),
        };
        await using var session = await CqlSession.ConnectAsync(Options(contactPoints: $"127.0.0.1:{node.Port}"), NullLogger.Instance);
        var insert = await session.PrepareAsync("INSERT INTO ks.t (id, v) VALUES (?, ?)");

        await session.ExecuteAsync(insert, [1, "one"], CqlConsistency.LocalQuorum);

        node.Received.Select(r => r.Opcode).Where(o => o is CqlOpcode.Prepare or CqlOpcode.Execute)
            .ShouldBe([CqlOpcode.Prepare, CqlOpcode.Execute, CqlOpcode.Prepare, CqlOpcode.Execute]);
    }

    [Fact]
    public async Task A_node_that_goes_down_is_skipped_during_its_backoff_then_used_again()
    {
        await using var cluster = await Cluster.StartAsync();

        // A backoff of at least 1.5 s (3 s base, jitter down to half): long enough to observe the node as down on a busy machine.
        var options = new CqlClientOptions
        {
            ContactPoints = [$"127.0.0.1:{cluster.Port}"],
            LocalDatacenter = "dc1",
            ReconnectBaseDelay = TimeSpan.FromSeconds(3),
            ReconnectMaxDelay = TimeSpan.FromSeconds(10),
        };
        await using var session = await CqlSession.ConnectAsync(options, NullLogger.Instance);
        var insert = await session.PrepareAsync("INSERT INTO ks.t (id, v) VALUES (?, ?)");
        var (first, second) = (cluster.Nodes[0], cluster.Nodes[1]);
        var key = Enumerable.Range(0, 100).First(id => cluster.OwnerOf(id) == second);
        int RunsOf(FakeCqlNode node) => node.Received.Count(r => r.Opcode == CqlOpcode.Execute && IdOf(r.Body) == key);
        await session.ExecuteAsync(insert, [key, "a"], CqlConsistency.LocalQuorum);
        RunsOf(second).ShouldBe(1);

        await second.PauseAsync();
        await session.ExecuteAsync(insert, [key, "b"], CqlConsistency.LocalQuorum);

        var host = session.Hosts.Single(h => h.Address == "127.0.0.2");
        host.IsUp.ShouldBeFalse("a refused connection starts the node's backoff");
        (RunsOf(first), RunsOf(second)).ShouldBe((1, 1), "the write went to the other local node, once");

        second.Resume();
        await Eventually(() => host.IsUp, "the backoff (3 s base, jittered) passes");
        await session.ExecuteAsync(insert, [key, "c"], CqlConsistency.LocalQuorum);

        (RunsOf(first), RunsOf(second)).ShouldBe((1, 2), "the owner serves its key again over a new connection");
    }

    [Fact]
    public async Task A_busy_node_gets_a_second_pooled_connection_and_no_more()
    {
        var held = new System.Collections.Concurrent.ConcurrentQueue<(short Stream, Func<byte[], Task> Reply)>();
        await using var node = Node();
        node.Handler = (header, body, reply) =>
        {
            if (header.Opcode == CqlOpcode.Prepare)
            {
                return reply(CqlResponseFrames.Prepared(header.StreamId, [7], _keyAndValue, 0));
            }

            held.Enqueue((header.StreamId, reply));
            return Task.CompletedTask;
        };
        await using var session = await CqlSession.ConnectAsync(Options(contactPoints: $"127.0.0.1:{node.Port}"), NullLogger.Instance);
        var insert = await session.PrepareAsync("INSERT INTO ks.t (id, v) VALUES (?, ?)");
        var host = session.Hosts.Single();

        var writes = Enumerable.Range(0, 20).Select(i => session.ExecuteAsync(insert, [i, "x"], CqlConsistency.LocalQuorum)).ToList();
        await Eventually(() => held.Count == 20, "20 writes held by the node");

        host.OpenCount().ShouldBe(2, "ConnectionsPerHost is 2: the pool grew once because its connection was busy");
        foreach (var (stream, reply) in held)
        {
            await reply(CqlResponseFrames.Void(stream));
        }

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Backoff_doubles_per_attempt_up_to_the_cap_with_jitter_between_half_and_one_and_a_half()
    {
        var random = new Random(7);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var nominal = Math.Min(100 * Math.Pow(2, attempt), 5_000);
            var delay = Backoff.Delay(attempt, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), random).TotalMilliseconds;
            delay.ShouldBeInRange(nominal * 0.5, nominal * 1.5);
        }
    }

    [Theory]
    [InlineData("10.0.0.5:9042", "10.0.0.5", 9042)]
    [InlineData("[::1]:9142", "::1", 9142)]
    [InlineData("cassandra.internal:19042", "cassandra.internal", 19042)]
    [InlineData("cassandra.internal", "cassandra.internal", 9042)]
    public void Contact_points_parse(string text, string host, int port) =>
        CqlSession.ParseContactPoint(text).ShouldBe((host, port));

    private static int IdOf(byte[] executeBody)
    {
        var reader = new CqlReader(executeBody);
        reader.ReadShortBytes();
        reader.ReadShort();
        reader.ReadByte();
        reader.ReadShort();
        return (int)CqlValueCodec.Decode(CqlType.Int, reader.ReadBytes())!;
    }

    /// <summary>Two dc1 nodes splitting the ring and one dc2 node, on one port of three loopback addresses.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private Cluster(FakeCqlNode[] nodes) => Nodes = nodes;

        public FakeCqlNode[] Nodes { get; }

        public int Port => Nodes[0].Port;

        public static Task<Cluster> StartAsync()
        {
            for (var attempt = 0; ; attempt++)
            {
                var first = new FakeCqlNode(IPAddress.Loopback, 0, "dc1", [-4_000_000_000_000_000_000L, 4_000_000_000_000_000_000L]);
                try
                {
                    var second = new FakeCqlNode(IPAddress.Parse("127.0.0.2"), first.Port, "dc1", [0L, 8_000_000_000_000_000_000L]);
                    var third = new FakeCqlNode(IPAddress.Parse("127.0.0.3"), first.Port, "dc2", [2_000_000_000_000_000_000L]);
                    FakeCqlNode[] nodes = [first, second, third];
                    foreach (var node in nodes)
                    {
                        node.Peers.AddRange(nodes.Where(n => n != node));
                        node.Handler = (header, _, reply) => header.Opcode == CqlOpcode.Prepare
                            ? reply(CqlResponseFrames.Prepared(header.StreamId, [1, 2, 3], _keyAndValue, 0))
                            : reply(CqlResponseFrames.Void(header.StreamId));
                    }

                    return Task.FromResult(new Cluster(nodes));
                }
                catch (SocketException) when (attempt < 5)
                {
                    first.DisposeAsync().AsTask().Wait();
                }
            }
        }

        /// <summary>The dc1 node whose range holds the token of <paramref name="id"/>; null when dc2's does (ring of all tokens).</summary>
        public FakeCqlNode? OwnerOf(int id)
        {
            var token = Murmur3Token.Of(CqlValueCodec.Encode(CqlType.Int, id));
            var ring = Nodes.SelectMany(n => n.Tokens.Select(t => (Token: t, Node: n))).OrderBy(e => e.Token).ToList();
            var owner = ring.FirstOrDefault(e => e.Token >= token).Node ?? ring[0].Node;
            return owner.Datacenter == "dc1" ? owner : null;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var node in Nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
