namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>
/// A node of the cluster and its pool of connections. A failed connect marks it down until a backoff delay (exponential with
/// jitter) has passed; a STATUS_CHANGE UP event clears the delay at once. The connection is opened on first use.
/// </summary>
public sealed class CqlHost(string address, int port, string? datacenter, string? rack, IReadOnlyList<long> tokens, CqlClientOptions options, TimeProvider time)
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly CqlConnection?[] _pool = new CqlConnection?[Math.Max(1, options.ConnectionsPerHost)];
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

    /// <summary>
    /// The pool's least busy open connection. While the pool has fewer than
    /// <see cref="CqlClientOptions.ConnectionsPerHost"/> open, a busy one (with requests in flight) makes it open
    /// another; a closed one is replaced. Throws <see cref="CqlConnectionException"/> while the node is down.
    /// </summary>
    public async Task<CqlConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        var best = LeastBusy();
        if (best is not null && (best.InFlight == 0 || OpenCount() >= _pool.Length))
        {
            return best;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            best = LeastBusy();
            if (best is not null && (best.InFlight == 0 || OpenCount() >= _pool.Length))
            {
                return best;
            }

            if (!IsUp)
            {
                return best ?? throw new CqlConnectionException($"{Endpoint} is down; next connection attempt at {_nextAttempt:O}");
            }

            var slot = Array.FindIndex(_pool, c => c is null || c.IsClosed);
            if (_pool[slot] is { } closed)
            {
                await closed.DisposeAsync().ConfigureAwait(false);
                _pool[slot] = null;
            }

            try
            {
                var opened = await CqlConnection.OpenAsync(Address, Port, options, cancellationToken).ConfigureAwait(false);
                _pool[slot] = opened;
                _failedAttempts = 0;
                return opened;
            }
            catch (CqlConnectionException) when (best is not null)
            {
                // The pool could not grow, but a connection is open: use it; the node is not down.
                return best;
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

    /// <summary>Connections of the pool that are open now.</summary>
    public int OpenCount() => _pool.Count(c => c is { IsClosed: false });

    private CqlConnection? LeastBusy() => _pool.Where(c => c is { IsClosed: false }).MinBy(c => c!.InFlight);

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
        foreach (var connection in _pool)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public override string ToString() => $"{Endpoint} (dc {Datacenter ?? "?"})";
}
