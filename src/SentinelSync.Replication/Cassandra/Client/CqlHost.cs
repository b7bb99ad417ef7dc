namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>
/// A node of the cluster and its connection. A failed connect marks it down until a backoff delay (exponential with
/// jitter) has passed; a STATUS_CHANGE UP event clears the delay at once. The connection is opened on first use.
/// </summary>
public sealed class CqlHost(string address, int port, string? datacenter, string? rack, IReadOnlyList<long> tokens, CqlClientOptions options, TimeProvider time)
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private CqlConnection? _connection;
    private int _failedAttempts;
    private DateTimeOffset _nextAttempt = DateTimeOffset.MinValue;

    public string Address { get; } = address;

    public int Port { get; } = port;

    public string? Datacenter { get; } = datacenter;

    public string? Rack { get; } = rack;

    public IReadOnlyList<long> Tokens { get; } = tokens;

    public string Endpoint => Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    /// <summary>False while a reconnection delay runs (after a failed connect or a DOWN event).</summary>
    public bool IsUp => time.GetUtcNow() >= _nextAttempt;

    /// <summary>When the next connection attempt may be made.</summary>
    public DateTimeOffset NextAttempt => _nextAttempt;

    /// <summary>The open connection, opening one if needed; throws <see cref="CqlConnectionException"/> while down.</summary>
    public async Task<CqlConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsClosed: false } open)
        {
            return open;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsClosed: false } opened)
            {
                return opened;
            }

            if (!IsUp)
            {
                throw new CqlConnectionException($"{Endpoint} is down; next connection attempt at {_nextAttempt:O}");
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            try
            {
                _connection = await CqlConnection.OpenAsync(Address, Port, options, cancellationToken).ConfigureAwait(false);
                _failedAttempts = 0;
                return _connection;
            }
            catch (CqlConnectionException)
            {
                MarkDown();
                throw;
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>Starts (or extends) the reconnection delay: base × 2^failures, capped, with jitter.</summary>
    public void MarkDown()
    {
        _nextAttempt = time.GetUtcNow() + Backoff.Delay(_failedAttempts, options.ReconnectBaseDelay, options.ReconnectMaxDelay);
        _failedAttempts++;
    }

    /// <summary>The node says it is up (STATUS_CHANGE UP): try it again now.</summary>
    public void MarkUp()
    {
        _failedAttempts = 0;
        _nextAttempt = DateTimeOffset.MinValue;
    }

    public async ValueTask CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override string ToString() => $"{Endpoint} (dc {Datacenter ?? "?"})";
}
