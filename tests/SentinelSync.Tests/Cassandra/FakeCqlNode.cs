using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Requests;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// A TCP listener speaking the server side of protocol v4 well enough for the client runtime's tests: it answers
/// STARTUP, REGISTER, system.local / system.peers (its datacenter and tokens, and its peers'), and hands every other
/// request to <see cref="Handler"/>, which writes whatever frames it likes (or none, to let a request time out).
/// </summary>
public sealed class FakeCqlNode : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private Task _accepting;

    public FakeCqlNode(IPAddress address, int port, string datacenter, long[] tokens)
    {
        _listener = new TcpListener(address, port);
        _listener.Start();
        Address = address;
        Datacenter = datacenter;
        Tokens = tokens;
        _accepting = AcceptAsync();
    }

    public IPAddress Address { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Datacenter { get; }

    public long[] Tokens { get; }

    /// <summary>Other nodes reported in system.peers.</summary>
    public List<FakeCqlNode> Peers { get; } = [];

    /// <summary>Every request frame received (opcode, body), in order, from every connection.</summary>
    public ConcurrentQueue<(CqlOpcode Opcode, byte[] Body)> Received { get; } = new();

    /// <summary>Answers a request that is not part of the handshake or topology; the default answers VOID.</summary>
    public Func<CqlFrameHeader, byte[], Func<byte[], Task>, Task> Handler { get; set; } = (header, _, reply) => reply(CqlResponseFrames.Void(header.StreamId));

    public bool RequireAuthentication { get; set; }

    public int Connections => _clients.Count;

    /// <summary>The node goes down: connections closed, new ones refused until <see cref="Resume"/>.</summary>
    public async Task PauseAsync()
    {
        _listener.Stop();
        DropConnections();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>The node is back on the same address and port.</summary>
    public void Resume()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Closes every connection accepted so far (the node "crashes"); the listener keeps accepting.</summary>
    public void DropConnections()
    {
        foreach (var client in _clients)
        {
            client.Client.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropConnections();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var writeLock = new SemaphoreSlim(1, 1);
        async Task Reply(byte[] frame)
        {
            await writeLock.WaitAsync();
            try
            {
                await stream.WriteAsync(frame);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
            finally
            {
                writeLock.Release();
            }
        }

        var headerBytes = new byte[CqlFrameHeader.Size];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(headerBytes, _stop.Token);
                var header = CqlFrameHeader.Read(headerBytes);
                var body = new byte[header.BodyLength];
                await stream.ReadExactlyAsync(body, _stop.Token);
                Received.Enqueue((header.Opcode, body));
                await AnswerAsync(header, body, Reply);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
        }
    }

    private Task AnswerAsync(CqlFrameHeader header, byte[] body, Func<byte[], Task> reply)
    {
        switch (header.Opcode)
        {
            case CqlOpcode.Startup:
                return reply(RequireAuthentication ? CqlResponseFrames.Authenticate(header.StreamId) : CqlResponseFrames.Ready(header.StreamId));
            case CqlOpcode.AuthResponse:
                return reply(CqlResponseFrames.AuthSuccess(header.StreamId));
            case CqlOpcode.Register:
                return reply(CqlResponseFrames.Ready(header.StreamId));
            case CqlOpcode.Query:
                var query = new CqlReader(body).ReadLongString();
                if (query == CqlSession.LocalQuery)
                {
                    return reply(CqlResponseFrames.Rows(header.StreamId, [("data_center", CqlType.Varchar), ("rack", CqlType.Varchar), ("tokens", CqlType.SetOf(CqlType.Varchar))],
                        [Datacenter, "r1", TokenStrings(Tokens)]));
                }

                if (query == CqlSession.PeersQuery)
                {
                    return reply(CqlResponseFrames.Rows(header.StreamId,
                        [("peer", CqlType.Inet), ("rpc_address", CqlType.Inet), ("data_center", CqlType.Varchar), ("rack", CqlType.Varchar), ("tokens", CqlType.SetOf(CqlType.Varchar))],
                        [.. Peers.Select(p => new object?[] { p.Address, p.Address, p.Datacenter, "r1", TokenStrings(p.Tokens) })]));
                }

                break;
        }

        return Handler(header, body, reply);
    }

    private static List<object?> TokenStrings(long[] tokens) => [.. tokens.Select(t => (object?)t.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
