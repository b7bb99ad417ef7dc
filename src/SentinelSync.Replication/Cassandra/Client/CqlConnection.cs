using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Cassandra.Protocol.Framing;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>
/// One native-protocol connection (v4 or v5, see <see cref="OpenAsync"/>) to one node, multiplexing up to <see cref="CqlClientOptions.MaxRequestsPerConnection"/>
/// requests by stream id. A reader loop hands each response to the request of its stream id and events (stream -1)
/// to <see cref="Event"/>. A stream id whose request timed out is reused only after its late response arrived, so a
/// late answer can never be taken for another request's. When the socket breaks, every request in flight fails with
/// <see cref="CqlConnectionException"/> and the connection stays closed.
/// </summary>
public sealed class CqlConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly CqlClientOptions _options;
    private readonly CqlFramer _framer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _freeStreamCount;
    private readonly ConcurrentBag<short> _freeStreams;
    private readonly ConcurrentDictionary<short, Pending> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _readLoop;
    private Exception? _closedBecause;
    private int _disposed;

    private CqlConnection(TcpClient tcp, Stream stream, string endpoint, CqlClientOptions options, byte version)
    {
        _tcp = tcp;
        _stream = stream;
        _options = options;
        _framer = new CqlFramer(version, options.Compression);
        Endpoint = endpoint;
        var streams = Math.Clamp(options.MaxRequestsPerConnection, 1, short.MaxValue + 1);
        _freeStreamCount = new SemaphoreSlim(streams, streams);
        _freeStreams = [.. Enumerable.Range(0, streams).Select(i => (short)i).Reverse()];
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Pushed events (after a REGISTER on this connection). Raised on the reader loop: do not block.</summary>
    public event Action<EventResponse>? Event;

    public string Endpoint { get; }

    /// <summary>The protocol version this connection speaks (4 or 5).</summary>
    public byte ProtocolVersion => _framer.Version;

    /// <summary>The frame compression in use (<c>lz4</c>), or null.</summary>
    public string? Compression => _framer.Compression;

    public bool IsClosed => _closedBecause is not null;

    /// <summary>Requests sent and not yet answered (timed-out ones included until their late answer).</summary>
    public int InFlight => _pending.Count;

    /// <summary>
    /// Connects, optionally over TLS, and runs the handshake: OPTIONS (the node's SUPPORTED says which compressions it
    /// offers), STARTUP with the configured compression, and PasswordAuthenticator when the node asks. Without a pinned
    /// <see cref="CqlClientOptions.ProtocolVersion"/> it offers v5 first; a node that answers v5 with a protocol error
    /// (or hangs up) during the handshake gets a new connection at v4, as the drivers negotiate.
    /// </summary>
    public static async Task<CqlConnection> OpenAsync(string host, int port, CqlClientOptions options, CancellationToken cancellationToken = default)
    {
        byte[] versions = options.ProtocolVersion is { } pinned ? [pinned] : [5, 4];
        for (var i = 0; ; i++)
        {
            try
            {
                return await OpenAsync(host, port, options, versions[i], cancellationToken).ConfigureAwait(false);
            }
            catch (CqlProtocolVersionException) when (i + 1 < versions.Length)
            {
            }
        }
    }

    private static async Task<CqlConnection> OpenAsync(string host, int port, CqlClientOptions options, byte version, CancellationToken cancellationToken)
    {
        var endpoint = $"{host}:{port}";
        var tcp = new TcpClient { NoDelay = true };
        CqlConnection? connection = null;
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(options.ConnectTimeout);
                try
                {
                    await tcp.ConnectAsync(host, port, connectTimeout.Token).ConfigureAwait(false);
                    Stream stream = tcp.GetStream();
                    if (options.Tls.Enabled)
                    {
                        stream = await AuthenticateTlsAsync(stream, host, options.Tls, connectTimeout.Token).ConfigureAwait(false);
                    }

                    connection = new CqlConnection(tcp, stream, endpoint, options, version);
                }
                catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException
                    || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    throw new CqlConnectionException($"cannot connect to {endpoint}: {e.Message}", e);
                }
            }

            await connection.StartupAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                tcp.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Sends a request and returns its response; an ERROR response is thrown as its <see cref="CqlServerException"/>.
    /// </summary>
    /// <param name="knownMetadata">Result metadata of a prepared statement, for rows sent without metadata.</param>
    public async Task<CqlResponse> SendAsync(CqlRequest request, RowsMetadata? knownMetadata = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        var frameTimeout = timeout ?? _options.RequestTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(frameTimeout);
        try
        {
            await _freeStreamCount.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CqlRequestTimeoutException($"{Endpoint}: no free stream id within {frameTimeout} ({InFlight} requests in flight)");
        }

        _freeStreams.TryTake(out var streamId);
        var pending = new Pending(knownMetadata);
        _pending[streamId] = pending;
        try
        {
            await _writeLock.WaitAsync(deadline.Token).ConfigureAwait(false);
            try
            {
                // Encoded under the lock: the framing's state (compression, segments) follows the order on the wire.
                var frame = _framer.Encode(request, streamId);
                await _stream.WriteAsync(frame, deadline.Token).ConfigureAwait(false);
                await _stream.FlushAsync(deadline.Token).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(new CqlConnectionException($"{Endpoint}: writing a {request.Opcode} failed: {e.Message}", e));
        }
        catch (OperationCanceledException)
        {
            // Not written (or written in part, which breaks the stream): the connection cannot be trusted any more.
            Close(new CqlConnectionException($"{Endpoint}: a {request.Opcode} could not be written in time"));
        }

        try
        {
            var response = await pending.Completion.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
            return response is ErrorResponse error ? throw error.Exception : response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            pending.Abandon();
            throw new CqlRequestTimeoutException($"{Endpoint}: no response to a {request.Opcode} within {frameTimeout}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Close(new CqlConnectionException($"{Endpoint}: connection closed"));
        await _closing.CancelAsync().ConfigureAwait(false);
        _tcp.Dispose();
        await _readLoop.ConfigureAwait(false);
        _closing.Dispose();
    }

    private static async Task<Stream> AuthenticateTlsAsync(Stream stream, string host, CqlTlsOptions tls, CancellationToken cancellationToken)
    {
        X509Certificate2Collection? trusted = null;
        if (tls.CaFile is { } caFile)
        {
            trusted = [];
            trusted.ImportFromPemFile(caFile);
        }

        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        var authentication = new SslClientAuthenticationOptions { TargetHost = tls.ServerName ?? host };
        if (trusted is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust };
            policy.CustomTrustStore.AddRange(trusted);
            authentication.CertificateChainPolicy = policy;
        }

        await ssl.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
        return ssl;
    }

    private async Task StartupAsync(CancellationToken cancellationToken)
    {
        CqlResponse response;
        try
        {
            var supported = await SendAsync(new OptionsRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
            CheckCompression(supported as SupportedResponse ?? throw new CqlProtocolException($"{Endpoint}: OPTIONS answered with {supported.GetType().Name}"));
            List<KeyValuePair<string, string>> options = [new("CQL_VERSION", "3.0.0"), new("DRIVER_NAME", _options.DriverName), new("DRIVER_VERSION", _options.DriverVersion)];
            if (_options.Compression is { } compression)
            {
                options.Add(new("COMPRESSION", compression));
            }

            response = await SendAsync(new StartupRequest(options), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (CqlServerException e) when (e.Code == CqlErrorCode.ProtocolError)
        {
            throw new CqlProtocolVersionException(Endpoint, ProtocolVersion, e.ServerMessage, e);
        }
        catch (CqlConnectionException e) when (ProtocolVersion >= 5)
        {
            // Some servers hang up on a protocol version they do not know rather than answer it.
            throw new CqlProtocolVersionException(Endpoint, ProtocolVersion, e.Message, e);
        }

        _framer.StartSegments();
        if (response is ReadyResponse)
        {
            return;
        }

        if (response is not AuthenticateResponse authenticate)
        {
            throw new CqlProtocolException($"{Endpoint}: STARTUP answered with {response.GetType().Name}");
        }

        if (_options.Username is null)
        {
            throw new CqlAuthenticationException($"{Endpoint} requires authentication ({authenticate.Authenticator}) but no username is configured");
        }

        CqlResponse answer = await SendAsync(AuthResponseRequest.Plain(_options.Username, _options.Password ?? ""), cancellationToken: cancellationToken).ConfigureAwait(false);
        while (answer is AuthChallengeResponse)
        {
            // PLAIN has a single step; a challenge gets the same credentials again, as the Java driver's provider does.
            answer = await SendAsync(AuthResponseRequest.Plain(_options.Username, _options.Password ?? ""), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (answer is not AuthSuccessResponse)
        {
            throw new CqlProtocolException($"{Endpoint}: AUTH_RESPONSE answered with {answer.GetType().Name}");
        }
    }

    private void CheckCompression(SupportedResponse supported)
    {
        if (_options.Compression is not { } wanted)
        {
            return;
        }

        var offered = supported.Options.TryGetValue("COMPRESSION", out var values) ? values : [];
        if (!offered.Contains(wanted, StringComparer.OrdinalIgnoreCase))
        {
            throw new CqlProtocolException($"{Endpoint} offers compression [{string.Join(", ", offered)}] but '{wanted}' is configured (set compression to one it offers, or leave it out)");
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                var (frameHeader, body) = await _framer.ReadAsync(_stream, _closing.Token).ConfigureAwait(false);
                Dispatch(frameHeader, body);
            }
        }
        catch (CqlProtocolException e)
        {
            // A corrupt or unexpected frame (bad CRC, an answer to no request): nothing later on this stream can be trusted.
            Close(new CqlConnectionException($"{Endpoint}: {e.Message}", e));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or EndOfStreamException or OperationCanceledException)
        {
            Close(new CqlConnectionException($"{Endpoint}: connection lost: {e.Message}", e));
        }
    }

    private void Dispatch(CqlFrameHeader header, byte[] body)
    {
        if (header.StreamId < 0)
        {
            if (CqlResponseDecoder.Decode(header, body) is EventResponse pushed)
            {
                Event?.Invoke(pushed);
            }

            return;
        }

        if (!_pending.TryRemove(header.StreamId, out var pending))
        {
            throw new CqlProtocolException($"{Endpoint}: a response on stream {header.StreamId}, which has no request");
        }

        // Free the id before completing, so that a waiting request can take it at once.
        _freeStreams.Add(header.StreamId);
        _freeStreamCount.Release();
        if (!pending.IsAbandoned)
        {
            try
            {
                pending.Completion.TrySetResult(CqlResponseDecoder.Decode(header, body, pending.KnownMetadata));
            }
            catch (Exception e) when (e is CqlProtocolException or CqlValueException)
            {
                pending.Completion.TrySetException(e);
            }
        }
    }

    private void Close(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _closedBecause, reason, null) is not null)
        {
            return;
        }

        _closing.Cancel();
        _tcp.Close();
        foreach (var pending in _pending.Values)
        {
            pending.Completion.TrySetException(reason);
        }
    }

    private void ThrowIfClosed()
    {
        if (_closedBecause is { } reason)
        {
            throw new CqlConnectionException(reason.Message, reason);
        }
    }

    private sealed class Pending(RowsMetadata? knownMetadata)
    {
        private int _abandoned;

        public TaskCompletionSource<CqlResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RowsMetadata? KnownMetadata { get; } = knownMetadata;

        public bool IsAbandoned => Volatile.Read(ref _abandoned) != 0;

        public void Abandon() => Interlocked.Exchange(ref _abandoned, 1);
    }
}
