using System.Collections.Concurrent;
using System.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Applies change batches to a Postgres destination, exactly once per sink and source table.
/// <para>
/// Contract of <see cref="ApplyAsync"/>: one short transaction per batch in the destination database that locks
/// the sink's offset row in <c>"_sentinel".offsets</c>, refuses the batch if a newer epoch owns the row
/// (<see cref="SinkFencedException"/>), skips every change at or below the stored position, creates or evolves
/// the target table, applies the rest as per-key net effects, and writes the new position and the caller's
/// epoch. Either all of that commits or nothing does; a failed call can be retried with the same batch.
/// Calls for the same sink and table are serialised by the row lock, so a second activation waits, then is
/// fenced or finds the batch already applied.
/// </para>
/// Tables without a primary key are replicated insert-only: updates and deletes to them fail with
/// <see cref="KeylessTableChangeException"/>, and a resnapshot of such a table duplicates its rows.
/// </summary>
public sealed partial class PostgresSink : ISink, IStoredOffsets, ISnapshotCopySink, IMultiStreamSink
{
    private readonly NpgsqlDataSource _dataSource;
    private static readonly IReadOnlyDictionary<string, string> s_noColumnTypes = new Dictionary<string, string>();
    private static readonly OffsetRows s_offsets = new(PostgresSinkSql.SelectOffsetForUpdate, PostgresSinkSql.SelectOffset, PostgresSinkSql.InsertOffsetIfMissing, PostgresSinkSql.UpdateOffset, PostgresSinkSql.SelectOffsetForShare);
    private readonly ILogger _logger;
    private readonly PostgresTableSchemas _schemas;
    private readonly PostgresTableWriter _writer;
    private readonly PostgresDestinationTypes? _types;
    private readonly PostgresPendingKeys _keys;
    private readonly PostgresSinkOptions _options;
    private readonly ConcurrentDictionary<(string Sink, TableName Table), long> _claimed = [];
    private readonly SemaphoreSlim _controlTablesGate = new(1, 1);
    private volatile bool _controlTablesReady;

    /// <summary>
    /// Creates a sink; <paramref name="options"/> are validated here. Nothing connects until the first call.
    /// With <paramref name="sourceConnection"/> (the pipeline's source database), user-defined types the
    /// destination lacks are created from their definitions there; without it they must exist or be mapped.
    /// </summary>
    public PostgresSink(PostgresSinkOptions options, ILogger<PostgresSink>? logger = null, string? sourceConnection = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateOrThrow();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        // The sink leaves no session state behind (only SET LOCAL, transaction locks, ON COMMIT DROP staging), so the
        // DISCARD ALL Npgsql sends before reusing a pooled connection would only cost the destination a reset and its
        // cached plans on every batch.
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(options.Connection) { NoResetOnClose = true }.ConnectionString);
        _types = string.IsNullOrEmpty(sourceConnection) ? null : new PostgresDestinationTypes(sourceConnection, _logger);
        _options = options;
        _keys = new PostgresPendingKeys(_logger);
        _schemas = new PostgresTableSchemas(options, _types, _keys, _logger);
        _writer = new PostgresTableWriter(_logger);
    }

    /// <summary>
    /// Creates the target table of <paramref name="schema"/> if it is missing (same column order, the source's
    /// types, the same primary key), or evolves it to this schema. In its own transaction.
    /// </summary>
    public async Task EnsureTableAsync(TableSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await _schemas.EnsureAsync(connection, schema, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies <paramref name="batch"/> for <paramref name="sinkName"/> as the activation with
    /// <paramref name="epoch"/> and returns the position now durably applied: <c>batch.Through</c>, or the stored
    /// position when that is later (a replayed batch changes nothing and returns it).
    /// </summary>
    /// <exception cref="SinkFencedException">A newer epoch owns the offset row; nothing was written.</exception>
    public Task<Position> ApplyAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default) =>
        ApplyWithEnumLabelsAsync(batch, sinkName, epoch, replay: false, cancellationToken);

    /// <summary>
    /// Applies changes taken from the dead-letter queue: all of them, whatever the stored offset (they are older
    /// than it), in one transaction, fenced like <see cref="ApplyAsync"/>; the offset does not move.
    /// </summary>
    public Task ReplayAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default) =>
        ApplyWithEnumLabelsAsync(batch, sinkName, epoch, replay: true, cancellationToken);

    public bool IsTransient(Exception exception) => PostgresErrorClassifier.IsTransient(exception);

    /// <summary>
    /// An enum value the destination refuses (22P02) may be a label the source added after the sink created the
    /// type: nothing in the change stream says so. Then the labels are brought in line, in a transaction of their
    /// own (a label cannot be used in the transaction that adds it), and the batch is applied once more.
    /// </summary>
    private async Task<Position> ApplyWithEnumLabelsAsync(ChangeBatch batch, string sinkName, long epoch, bool replay, CancellationToken cancellationToken) =>
        (await ApplyWithEnumLabelsAsync([batch], [epoch], sinkName, replay, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Applies batches of one table from different streams (<see cref="ChangeBatch.Stream"/>: Kafka partitions) in
    /// one transaction, as <see cref="ApplyAsync"/> would one after the other: each stream's changes at or below its
    /// own stored position are skipped, the rest are reduced together in the order given, and each stream's new
    /// position is written with them. One transaction instead of one per partition is what keeps a table fed by
    /// many partitions as fast as one fed by a single stream.
    /// </summary>
    /// <exception cref="SinkFencedException">A newer epoch owns one of the offset rows; nothing was written.</exception>
    public async Task<IReadOnlyList<Position>> ApplyStreamsAsync(IReadOnlyList<ChangeBatch> batches, string sinkName, long epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Any(b => b.Table != batches[0].Table))
        {
            throw new ArgumentException("The batches must be of one table and each of its own stream.", nameof(batches));
        }

        return await ApplyStreamsAsync(batches, [.. batches.Select(_ => epoch)], sinkName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies one batch of each of several tables (or streams) in one transaction, each fenced by its own sink
    /// activation's epoch: the pipeline's tables flushed together cost one commit instead of one per table, and a
    /// crash can never leave one table's rows committed without its offset, nor without the other tables' (see
    /// <see cref="SinkApplyGroup"/>). The offset rows are locked in <see cref="ChangeBatch.OffsetKey"/> order
    /// whatever the order given, so two transactions over overlapping tables cannot deadlock on them.
    /// </summary>
    /// <exception cref="SinkFencedException">A newer epoch owns one of the offset rows; nothing was written for any batch.</exception>
    public async Task<IReadOnlyList<Position>> ApplyStreamsAsync(IReadOnlyList<ChangeBatch> batches, IReadOnlyList<long> epochs, string sinkName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(epochs);
        if (batches.Count == 0 || epochs.Count != batches.Count)
        {
            throw new ArgumentException($"Expected one epoch per batch and at least one batch; got {batches.Count} batches and {epochs.Count} epochs.", nameof(epochs));
        }

        if (batches.Select(b => b.OffsetKey).Distinct(StringComparer.Ordinal).Count() != batches.Count)
        {
            throw new ArgumentException("Each batch must be of its own table or stream (offset key): " + string.Join(", ", batches.Select(b => b.OffsetKey)), nameof(batches));
        }

        return await ApplyWithEnumLabelsAsync(batches, epochs, sinkName, replay: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Position>> ApplyWithEnumLabelsAsync(IReadOnlyList<ChangeBatch> batches, IReadOnlyList<long> epochs, string sinkName, bool replay, CancellationToken cancellationToken)
    {
        try
        {
            return await ApplyCoreAsync(batches, epochs, sinkName, replay, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidTextRepresentation && _types is not null)
        {
            if (await AddMissingEnumLabelsAsync(batches.SelectMany(b => b.Changes), cancellationToken).ConfigureAwait(false) == 0)
            {
                throw;
            }
        }

        return await ApplyCoreAsync(batches, epochs, sinkName, replay, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> AddMissingEnumLabelsAsync(IEnumerable<RowChange> changes, CancellationToken cancellationToken)
    {
        var typeOids = changes.SelectMany(c => c.Schema.Columns).Select(c => c.TypeOid).Where(o => o >= PostgresTypeSql.FirstUserOid).Distinct().ToList();
        if (typeOids.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var added = await _types!.AddMissingEnumLabelsAsync(connection, typeOids, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    private async Task<IReadOnlyList<Position>> ApplyCoreAsync(IReadOnlyList<ChangeBatch> batches, IReadOnlyList<long> epochs, string sinkName, bool replay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!replay && await TryApplyAtKnownOffsetsAsync(batches, epochs, sinkName, cancellationToken).ConfigureAwait(false) is { } done)
            {
                return done;
            }

            ForgetOffsets(sinkName, batches);
            return await ApplyReadingOffsetsAsync(batches, epochs, sinkName, replay, cancellationToken).ConfigureAwait(false);
        }
        catch (TableBlockedException e)
        {
            ForgetOffsets(sinkName, batches);
            PipelineInstruments.Blocked(sinkName, e.Table, blocked: true);
            _schemas.Forget();
            throw;
        }
        catch
        {
            // The destination may have been changed under us: check the schemas (and the offset rows) again next time.
            ForgetOffsets(sinkName, batches);
            _schemas.Forget();
            _keys.Forget();
            throw;
        }
    }

    private void ForgetOffsets(string sinkName, IReadOnlyList<ChangeBatch> batches)
    {
        foreach (var batch in batches)
        {
            ForgetOffset(sinkName, batch);
        }
    }

    /// <summary>
    /// The full path: reads and locks each stream's offset row first (in one order whatever the batches' order, so
    /// that two activations cannot deadlock), then fences, skips and applies as the contract says, in one transaction.
    /// </summary>
    private async Task<IReadOnlyList<Position>> ApplyReadingOffsetsAsync(IReadOnlyList<ChangeBatch> batches, IReadOnlyList<long> epochs, string sinkName, bool replay, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        var begun = new (ChangeBatch Batch, SinkOffset Stored, List<RowChange> Pending)[batches.Count];
        foreach (var i in Enumerable.Range(0, batches.Count).OrderBy(i => batches[i].OffsetKey, StringComparer.Ordinal))
        {
            var batch = batches[i];
            var (stored, pending) = await s_offsets.BeginBatchAsync(connection, sinkName, batch, epochs[i], replay, cancellationToken).ConfigureAwait(false);
            if (batch.EndsSnapshot && batch.Through > stored.Position)
            {
                await _keys.BuildIfPendingAsync(connection, _options.TargetOf(batch.Table), cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, PostgresSinkSql.ForgetCopies, cancellationToken, sinkName, batch.Table.ToString()).ConfigureAwait(false);
            }

            begun[i] = (batch, stored, pending);
        }

        var segments = ChangeReducer.Reduce(begun.SelectMany(b => b.Pending));
        await ApplySegmentsAsync(connection, segments, cancellationToken).ConfigureAwait(false);
        var applied = new Position[begun.Length];
        for (var i = 0; i < begun.Length; i++)
        {
            applied[i] = await s_offsets.EndBatchAsync(connection, sinkName, begun[i].Batch, begun[i].Stored, epochs[i], replay, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var segment in segments)
        {
            _schemas.Committed(segment.Schema);
        }

        for (var i = 0; i < begun.Length; i++)
        {
            var (batch, _, pending) = begun[i];
            if (!replay)
            {
                RememberOffset(sinkName, batch, applied[i], epochs[i]);
            }

            LogBatchApplied(_logger, sinkName, batch.Table, pending.Count, batch.Changes.Count - pending.Count, applied[i]);
        }

        foreach (var table in batches.Select(b => b.Table).Distinct())
        {
            PipelineInstruments.Blocked(sinkName, table, blocked: false);
        }

        return applied;
    }

    /// <summary>Whether writing the segment matches rows by key, whose predicates cast to the target's column types.</summary>
    private static bool NeedsColumnTypes(ApplySegment segment) =>
        segment.Deletes.Count > 0 || segment.Move is not null || segment.Upserts.Exists(PostgresTableWriter.IsPartial);

    /// <summary>Creates or evolves each segment's target as needed and writes the segment, in the caller's transaction.</summary>
    private async Task ApplySegmentsAsync(NpgsqlConnection connection, List<ApplySegment> segments, CancellationToken cancellationToken)
    {
        foreach (var segment in segments)
        {
            var target = await _schemas.EnsureAsync(connection, segment.Schema, cancellationToken, emptying: segment.Truncate).ConfigureAwait(false);
            if (!segment.SnapshotOnly)
            {
                // Streamed changes need the key a snapshot load may have left for later.
                await _keys.BuildIfPendingAsync(connection, target, cancellationToken).ConfigureAwait(false);
            }

            var columnTypes = NeedsColumnTypes(segment)
                ? await _schemas.ColumnTypesAsync(connection, target, cancellationToken).ConfigureAwait(false)
                : s_noColumnTypes;
            await _writer.ApplyAsync(connection, target, segment, columnTypes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies snapshot rows into the target unparsed, beside other copies of the same table (see
    /// <see cref="ISnapshotCopySink"/>): one transaction that holds the offset row shared (fencing), marks the
    /// copy applied (a copy already marked changes nothing), creates the target without its primary key if it is
    /// missing (built when the snapshot ends), and COPYs the text. A key already there fails it (unique
    /// violation): it is then applied as ordinary changes, which update existing rows.
    /// </summary>
    public async Task ApplyCopyAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var copy = batch.Copy ?? throw new ArgumentException("The batch carries no copied rows.", nameof(batch));
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        await ClaimAsync(sinkName, batch.Table, epoch, cancellationToken).ConfigureAwait(false);

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        try
        {
            await s_offsets.ShareAsync(connection, sinkName, batch.Table, epoch, cancellationToken).ConfigureAwait(false);
            var marked = await ExecuteAsync(
                connection,
                PostgresSinkSql.MarkCopyApplied,
                cancellationToken,
                sinkName,
                batch.Table.ToString(),
                new NpgsqlParameter { Value = new NpgsqlLogSequenceNumber(copy.First.Lsn), NpgsqlDbType = NpgsqlDbType.PgLsn },
                copy.First.Ordinal).ConfigureAwait(false);
            if (marked == 0)
            {
                LogCopyAlreadyApplied(_logger, sinkName, batch.Table, copy.First);
                return;
            }

            var target = await _schemas.EnsureAsync(connection, copy.Schema, cancellationToken, keyLater: true).ConfigureAwait(false);
            await PostgresTableWriter.CopyTextAsync(connection, target, copy, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _schemas.Committed(copy.Schema);
        }
        catch
        {
            _schemas.Forget();
            _keys.Forget();
            throw;
        }
    }

    /// <summary>
    /// Once per activation (epoch) and table: writes the epoch into the offset row before copies run beside each
    /// other, so that an older activation's copies are refused from then on.
    /// </summary>
    private async Task ClaimAsync(string sinkName, TableName table, long epoch, CancellationToken cancellationToken)
    {
        if (_claimed.TryGetValue((sinkName, table), out var claimed) && claimed == epoch)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await s_offsets.ClaimAsync(connection, sinkName, table, epoch, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _claimed[(sinkName, table)] = epoch;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter as NpgsqlParameter ?? new NpgsqlParameter { Value = parameter });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A connection to the destination. Failing to get one says nothing about the changes (a database not
    /// accepting connections, a refused login, a server starting): it is reported as
    /// <see cref="DestinationUnavailableException"/>, which is retried, never dead-lettered.
    /// </summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            throw new DestinationUnavailableException($"The Postgres destination refused a connection: {e.Message}", e);
        }
    }

    /// <summary>The offset <paramref name="sinkName"/> stored for <paramref name="table"/>, or null before its first batch.</summary>
    public Task<SinkOffset?> ReadOffsetAsync(string sinkName, TableName table, CancellationToken cancellationToken = default) =>
        ReadOffsetAsync(sinkName, table, stream: null, cancellationToken);

    /// <inheritdoc/>
    public async Task<SinkOffset?> ReadOffsetAsync(string sinkName, TableName table, string? stream, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentNullException.ThrowIfNull(table);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        return await s_offsets.ReadAsync(_dataSource, sinkName, ChangeBatch.OffsetKeyOf(table, stream), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        if (_types is not null)
        {
            await _types.DisposeAsync().ConfigureAwait(false);
        }

        _controlTablesGate.Dispose();
    }

    private async Task EnsureControlTablesAsync(CancellationToken cancellationToken)
    {
        if (_controlTablesReady)
        {
            return;
        }

        await _controlTablesGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_controlTablesReady)
            {
                return;
            }

            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = new NpgsqlCommand(PostgresSinkSql.CreateControlTables, connection))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _controlTablesReady = true;
        }
        finally
        {
            _controlTablesGate.Release();
        }
    }
}
