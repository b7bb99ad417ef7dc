using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// Applies change batches to Cassandra or ScyllaDB tables, exactly once in effect per sink and source table.
/// <para>
/// Contract of <see cref="ApplyAsync"/>: read the table's row in <c>sentinel_offsets</c> at LOCAL_SERIAL and refuse
/// the batch if a newer epoch owns it (<see cref="SinkFencedException"/>, before anything is written); skip every
/// change at or below the stored position; convert every value first (a value Cassandra cannot hold fails the batch
/// before any write); reserve the batch's write timestamps with a lightweight transaction
/// (<see cref="CassandraWriteTimestamps"/>); create or extend the tables; write every change <c>USING TIMESTAMP</c>
/// (inserts and updates as INSERT with unchanged TOAST columns unset, deletes as timestamped DELETE, TRUNCATE in
/// place), in unlogged batches of one partition each, <see cref="CassandraSinkOptions.MaxConcurrentWrites"/> at a
/// time; then store the position with a lightweight transaction conditional on the epoch. Cassandra has no
/// multi-partition transactions: after a crash between the writes and the offset, the redo writes the same values
/// with higher timestamps, and anything a stale activation writes carries lower ones, so the newest value wins.
/// </para>
/// </summary>
public sealed partial class CassandraSink : ISink
{
    private readonly CassandraSinkOptions _options;
    private readonly ILogger _logger;
    private readonly CassandraSchemas _schemas;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private CqlSession? _session;

    public CassandraSink(CassandraSinkOptions options, ILogger<CassandraSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateOrThrow();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _schemas = new CassandraSchemas(options);
    }

    public Task<Position> ApplyAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(batch, sinkName, epoch, replay: false, cancellationToken);

    /// <summary>
    /// Applies dead-lettered changes whatever the stored position, without moving it; their timestamps come after every
    /// one reserved so far, so they land on top of what their keys hold (later changes of a dead-lettered key were
    /// dead-lettered behind it and are replayed after it, in order).
    /// </summary>
    public Task ReplayAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(batch, sinkName, epoch, replay: true, cancellationToken);

    public bool IsTransient(Exception exception) => CassandraErrorClassifier.IsTransient(exception);

    /// <summary>The stored offset of <paramref name="sinkName"/> for <paramref name="table"/>, or null before its first batch.</summary>
    public async Task<CassandraOffset?> ReadOffsetAsync(string sinkName, TableName table, CancellationToken cancellationToken = default)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        return await CassandraOffsets.ReadAsync(session, _options.Keyspace, sinkName, table.ToString(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync().ConfigureAwait(false);
        }

        _connectGate.Dispose();
    }

    private async Task<Position> ApplyCoreAsync(ChangeBatch batch, string sinkName, long epoch, bool replay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        var offsets = new CassandraOffsets(session, _options, sinkName, batch.Table);
        var stored = await offsets.ClaimAsync(epoch, cancellationToken).ConfigureAwait(false);
        var pending = replay ? batch.Changes : [.. batch.Changes.Where(c => c.Position > stored.Position)];

        var plan = CassandraWritePlan.Build(_options.Keyspace, pending, stored.ReservedTimestamp, _options.Tables);
        if (plan.Writes.Count > 0)
        {
            await offsets.ReserveAsync(epoch, stored.ReservedTimestamp, plan.LastTimestamp, cancellationToken).ConfigureAwait(false);
            var writer = new CassandraWriter(session, _schemas, _options);
            await writer.WriteAsync(plan, cancellationToken).ConfigureAwait(false);
        }

        var applied = stored.Position;
        if (!replay && batch.Through > stored.Position)
        {
            await offsets.StoreAsync(epoch, batch.Through, cancellationToken).ConfigureAwait(false);
            applied = batch.Through;
        }

        LogBatchApplied(sinkName, batch.Table, plan.Writes.Count, batch.Changes.Count - pending.Count, applied, plan.LastTimestamp);
        return applied;
    }

    private async Task<CqlSession> SessionAsync(CancellationToken cancellationToken)
    {
        if (_session is { } session)
        {
            return session;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_session is null)
            {
                var connected = await CqlSession.ConnectAsync(_options.ClientOptions(), _logger, cancellationToken: cancellationToken).ConfigureAwait(false);
                try
                {
                    await connected.QueryAsync(CassandraStatements.CreateKeyspace(_options.Keyspace, _options.ReplicationOrDefault), cancellationToken: cancellationToken).ConfigureAwait(false);
                    await connected.QueryAsync(CassandraStatements.CreateOffsets(_options.Keyspace), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await connected.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                LogConnected(_options.ToString(), connected.Hosts.Count);
                _session = connected;
            }

            return _session;
        }
        finally
        {
            _connectGate.Release();
        }
    }
}
