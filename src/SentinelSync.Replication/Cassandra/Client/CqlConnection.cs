using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Cassandra.Protocol.Requests;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>
/// One native-protocol v4 connection to one node, multiplexing up to <see cref="CqlClientOptions.MaxRequestsPerConnection"/>
/// requests by stream id. A reader loop hands each response to the request of its stream id and events (stream -1)
/// to <see cref="Event"/>. A stream id whose request timed out is reused only after its late response arrived, so a
/// late answer can never be taken for another request's. When the socket breaks, every request in flight fails with
/// <see cref="CqlConnectionException"/> and the connection stays closed.
/// </summary>
public sealed class CqlConnection : IAsyncDisposable
{
    private const byte ProtocolVersion = 4;

    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly CqlClientOptions _options;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _freeStreamCount;
    private readonly ConcurrentBag<short> _freeStreams;
    private readonly ConcurrentDictionary<short, Pending> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _readLoop;
    private Exception? _closedBecause;
    private int _disposed;

    private CqlConnection(TcpClient tcp, Stream stream, string endpoint, CqlClientOptions options)
    {
        _tcp = tcp;
        _stream = stream;
        _options = options;
        Endpoint = endpoint;
        var streams = Math.Clamp(options.MaxRequestsPerConnection, 1, short.MaxValue + 1);
        _freeStreamCount = new SemaphoreSlim(streams, streams);
        _freeStreams = [.. Enumerable.Range(0, streams).Select(i => (short)i).Reverse()];
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Pushed events (after a REGISTER on this connection). Raised on the reader loop: do not block.</summary>
    public event Action<EventResponse>? Event;

    public string Endpoint { get; }

    public bool IsClosed => _closedBecause is not null;

    /// <summary>Requests sent and not yet answered (timed-out ones included until their late answer).</summary>
    public int InFlight => _pending.Count;

    /// <summary>Connects, optionally over TLS, and runs STARTUP (and PasswordAuthenticator when the node asks).</summary>
    public static async Task<CqlConnection> OpenAsync(string host, int port, CqlClientOptions options, CancellationToken cancellationToken = default)
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

                    connection = new CqlConnection(tcp, stream, endpoint, options);
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
            var frame = request.Frame(ProtocolVersion, streamId);
            await _writeLock.WaitAsync(deadline.Token).ConfigureAwait(false);
            try
            {
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
        var startup = new StartupRequest([new("CQL_VERSION", "3.0.0"), new("DRIVER_NAME", _options.DriverName), new("DRIVER_VERSION", _options.DriverVersion)]);
        var response = await SendAsync(startup, cancellationToken: cancellationToken).ConfigureAwait(false);
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

    private async Task ReadLoopAsync()
    {
        var header = new byte[CqlFrameHeader.Size];
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                await _stream.ReadExactlyAsync(header, _closing.Token).ConfigureAwait(false);
                var frameHeader = CqlFrameHeader.Read(header);
                var body = new byte[frameHeader.BodyLength];
                await _stream.ReadExactlyAsync(body, _closing.Token).ConfigureAwait(false);
                Dispatch(frameHeader, body);
            }
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
