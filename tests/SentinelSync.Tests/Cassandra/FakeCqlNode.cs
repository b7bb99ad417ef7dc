using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Cassandra.Protocol.Framing;
using SentinelSync.Replication.Cassandra.Protocol.Requests;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// A TCP listener speaking the server side of the protocol well enough for the client runtime's tests: it answers
/// OPTIONS, STARTUP, REGISTER, system.local / system.peers (its datacenter and tokens, and its peers'), and hands every
/// other request to <see cref="Handler"/>, which writes whatever frames it likes (or none, to let a request time out).
/// By default it speaks v4 only and answers a v5 request with a protocol error and a hang-up, as Cassandra 3.x and
/// ScyllaDB do; with <see cref="MaxProtocolVersion"/> 5 it switches to v5 segments after STARTUP. With
/// <see cref="Compressions"/> offered, a STARTUP asking for lz4 gets compressed frames (v4) or segments (v5) both ways.
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

    /// <summary>The highest protocol version it speaks (4 or 5).</summary>
    public int MaxProtocolVersion { get; set; } = 4;

    /// <summary>What SUPPORTED lists under COMPRESSION (and what STARTUP may ask for).</summary>
    public List<string> Compressions { get; } = [];

    /// <summary>How each request arrived: its version, whether its body was compressed, whether it came in a segment.</summary>
    public ConcurrentQueue<(int Version, CqlOpcode Opcode, bool Compressed, bool Segmented)> Framing { get; } = new();

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
        var wire = new Wire();
        async Task Send(byte[] frame)
        {
            await writeLock.WaitAsync();
            try
            {
                await stream.WriteAsync(wire.Outgoing(frame));
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
            finally
            {
                writeLock.Release();
            }
        }

        try
        {
            while (true)
            {
                var (header, body, compressed) = await wire.ReadAsync(stream, _stop.Token);
                Framing.Enqueue((header.ProtocolVersion, header.Opcode, compressed, wire.Segments is not null));
                if (header.ProtocolVersion > MaxProtocolVersion)
                {
                    // As Cassandra 3.x: an error in the highest version it knows, then it hangs up.
                    await Send(CqlResponseFrames.Error(header.StreamId, CqlErrorCode.ProtocolError, $"Invalid or unsupported protocol version ({header.ProtocolVersion}); highest supported version is {MaxProtocolVersion}"));
                    client.Client.Close();
                    return;
                }

                wire.Version = header.ProtocolVersion;
                Received.Enqueue((header.Opcode, body));
                if (header.Opcode == CqlOpcode.Startup)
                {
                    var options = StringMap(body);
                    wire.Compression = options.GetValueOrDefault("COMPRESSION");
                    await AnswerAsync(header, body, Send);
                    wire.StartSegments();
                    continue;
                }

                await AnswerAsync(header, body, Send);
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
            case CqlOpcode.Options:
                return reply(CqlResponseFrames.Supported(header.StreamId, MaxProtocolVersion, Compressions));
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

    /// <summary>One connection's framing, the server side of <see cref="CqlFramer"/>.</summary>
    private sealed class Wire
    {
        private readonly MemoryStream _envelopes = new();

        public int Version { get; set; } = 4;

        public string? Compression { get; set; }

        public CqlSegmentCodec? Segments { get; private set; }

        public void StartSegments() => Segments = Version >= 5 ? new CqlSegmentCodec(Compression == Lz4Compression.Name) : null;

        public byte[] Outgoing(byte[] frame)
        {
            frame[0] = (byte)(0x80 | Version);
            if (Segments is not null)
            {
                return Segments.Encode(frame);
            }

            if (Compression is null || Version >= 5 || frame.Length == CqlFrameHeader.Size || frame[4] == (byte)CqlOpcode.Ready || frame[4] == (byte)CqlOpcode.Supported)
            {
                return frame;
            }

            var body = Lz4Compression.CompressBody(frame.AsSpan(CqlFrameHeader.Size));
            var compressed = new byte[CqlFrameHeader.Size + body.Length];
            (CqlFrameHeader.Read(frame) with { Flags = CqlFrameFlags.Compression, BodyLength = body.Length }).WriteTo(compressed);
            body.CopyTo(compressed, CqlFrameHeader.Size);
            return compressed;
        }

        public async Task<(CqlFrameHeader Header, byte[] Body, bool Compressed)> ReadAsync(Stream stream, CancellationToken cancellationToken)
        {
            if (Segments is null)
            {
                var headerBytes = new byte[CqlFrameHeader.Size];
                await stream.ReadExactlyAsync(headerBytes, cancellationToken);
                var header = CqlFrameHeader.Read(headerBytes);
                var body = new byte[header.BodyLength];
                await stream.ReadExactlyAsync(body, cancellationToken);
                var compressed = (header.Flags & CqlFrameFlags.Compression) != 0;
                return (header, compressed ? Lz4Compression.DecompressBody(body) : body, compressed);
            }

            while (true)
            {
                var buffered = _envelopes.ToArray();
                if (buffered.Length >= CqlFrameHeader.Size && CqlFrameHeader.Read(buffered) is var header && buffered.Length >= CqlFrameHeader.Size + header.BodyLength)
                {
                    var end = CqlFrameHeader.Size + header.BodyLength;
                    _envelopes.SetLength(0);
                    _envelopes.Write(buffered.AsSpan(end));
                    return (header, buffered[CqlFrameHeader.Size..end], false);
                }

                var (payload, _) = await Segments.ReadAsync(stream, cancellationToken);
                _envelopes.Write(payload);
            }
        }
    }

    private static Dictionary<string, string> StringMap(byte[] body)
    {
        var reader = new CqlReader(body);
        var count = reader.ReadShort();
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            map[reader.ReadString()] = reader.ReadString();
        }

        return map;
    }

    private static List<object?> TokenStrings(long[] tokens) => [.. tokens.Select(t => (object?)t.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
