using System.Data;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Applies change batches to ClickHouse 18.16 tables (ReplacingMergeTree on <c>_version</c>, ordered by the
/// primary key, deletes as <c>_deleted = 1</c> tombstones), exactly once in effect per sink and source table.
/// <para>
/// Contract of <see cref="ApplyAsync"/>: in the control database, lock the offset row in
/// <c>sentinel.clickhouse_offsets</c> and refuse the batch if a newer epoch owns it
/// (<see cref="SinkFencedException"/>, before anything reaches ClickHouse); skip every change at or below the
/// stored position; reduce the rest per key (<see cref="ChangeReducer"/>); create or evolve the table; complete
/// unchanged TOAST columns from the last row ClickHouse holds for just those keys (<c>FINAL</c>); insert each
/// segment (one for a batch of one schema) in one TabSeparated request (gzipped if <see cref="ClickHouseSinkOptions.CompressInserts"/>); then, once ClickHouse
/// acknowledged, store the new position and epoch and commit. ClickHouse has no transactions: if the commit
/// fails after the insert, the retried batch inserts the same rows with the same versions, which collapse.
/// A row's version is the position of the last change of its segment (<see cref="ClickHouseVersion"/>), and its
/// values are the key's state there, so any replay converges to the source.
/// </para>
/// Live rows: <c>SELECT … FROM t FINAL WHERE _deleted = 0</c>. Keyless tables are plain MergeTree, insert-only
/// (updates and deletes throw <see cref="KeylessTableChangeException"/>); a replay after a failed commit
/// duplicates their rows.
/// </summary>
public sealed partial class ClickHouseSink : ISink, IStoredOffsets, ISnapshotCopySink
{
    private const int KeysPerLookup = 1000;
    private readonly ClickHouseSinkOptions _options;
    private readonly NpgsqlDataSource _control;
    private readonly ClickHouseHttp _http;
    private readonly ClickHouseTableSchemas _schemas;
    private readonly ClickHouseBodyBuffers _bodies = new();
    private static readonly System.Text.UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly OffsetRows s_offsets = new(ClickHouseSinkSql.SelectOffsetForUpdate, ClickHouseSinkSql.SelectOffset, ClickHouseSinkSql.InsertOffsetIfMissing, ClickHouseSinkSql.UpdateOffset, ClickHouseSinkSql.SelectOffsetForShare);
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _controlTablesGate = new(1, 1);

    // Warned once per process, target table and column: the metric counts every value.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Table, string Column), bool> _warnedFallbacks = new();
    private volatile bool _controlTablesReady;

    /// <summary>Creates a sink; <paramref name="options"/> are validated here. <paramref name="control"/> is the control database (not disposed by the sink).</summary>
    public ClickHouseSink(ClickHouseSinkOptions options, NpgsqlDataSource control, ILogger<ClickHouseSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(control);
        options.ValidateOrThrow();
        _options = options;
        _control = control;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _http = new ClickHouseHttp(options);
        _schemas = new ClickHouseTableSchemas(options, _http, _logger);
    }

    /// <summary>Creates the target table of <paramref name="schema"/> if missing, or evolves it to this schema.</summary>
    public async Task EnsureTableAsync(TableSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await _schemas.EnsureAsync(connection, schema, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies <paramref name="batch"/> for <paramref name="sinkName"/> as the activation with <paramref name="epoch"/>;
    /// returns the position now durably applied (<c>batch.Through</c>, or the stored position when later).
    /// </summary>
    /// <exception cref="SinkFencedException">A newer epoch owns the offset row; nothing was sent to ClickHouse.</exception>
    public Task<Position> ApplyAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(batch, sinkName, epoch, replay: false, cancellationToken);

    /// <summary>
    /// Applies changes taken from the dead-letter queue: all of them, whatever the stored offset (they are older
    /// than it), fenced like <see cref="ApplyAsync"/>; the offset does not move. The rows get the version of the
    /// stored offset, not of their own change: a row of the same key may already carry a newer version than the
    /// dead-lettered change (a segment's rows share the version of its last change), while no row written so far
    /// carries one above the offset, and changes applied later carry higher ones. Later changes of a dead-lettered
    /// key are dead-lettered behind it and replayed after it, in order; equal versions keep the last inserted.
    /// </summary>
    /// <exception cref="SinkFencedException">A newer epoch owns the offset row; nothing was sent to ClickHouse.</exception>
    public Task ReplayAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(batch, sinkName, epoch, replay: true, cancellationToken);

    /// <summary>
    /// Streamed changes applied per call at most (<see cref="Pipelines.PipelineRegistry.MaxBatchChanges"/>): five times
    /// the default. Every insert costs ClickHouse a new part (and merges later) and the control database an offset
    /// round trip and a commit, whatever its size, while large inserts ingest several times faster per row
    /// (docs/benchmarks/clickhouse-2026-11-30-snapshot-copy.md); a body of this many changes is a few MiB.
    /// </summary>
    internal const int InsertChanges = 50_000;

    /// <summary><see cref="ClickHouseSinkOptions.MinInsertInterval"/>.</summary>
    public TimeSpan MinApplyInterval => _options.MinInsertInterval;

    /// <summary>See <see cref="ClickHouseErrorClassifier.IsTransient(Exception)"/>.</summary>
    public bool IsTransient(Exception exception) => ClickHouseErrorClassifier.IsTransient(exception);

    private async Task<Position> ApplyCoreAsync(ChangeBatch batch, string sinkName, long epoch, bool replay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

        // The row lock is held through the insert: a newer activation waits, then sees this batch's offset.
        var (stored, pending) = await s_offsets.BeginBatchAsync(connection, sinkName, batch, epoch, replay, cancellationToken).ConfigureAwait(false);
        var rows = 0;
        foreach (var segment in ChangeReducer.Reduce(pending))
        {
            var table = await _schemas.EnsureAsync(connection, segment.Schema, cancellationToken, emptying: segment.Truncate).ConfigureAwait(false);
            // A replayed change is older than rows of its key already written (a segment's rows all carry the version
            // of its last change), so it takes the stored position's version, which no row written so far exceeds.
            var version = replay && stored.Position > segment.Through ? stored.Position : segment.Through;
            rows += await ApplySegmentAsync(table, segment, version, sinkName, cancellationToken).ConfigureAwait(false);
        }

        var applied = await s_offsets.EndBatchAsync(connection, sinkName, batch, stored, epoch, replay, cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogBatchApplied(_logger, sinkName, batch.Table, pending.Count, batch.Changes.Count - pending.Count, rows, applied);
        return applied;
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
        return await s_offsets.ReadAsync(_control, sinkName, ChangeBatch.OffsetKeyOf(table, stream), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        _controlTablesGate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<int> ApplySegmentAsync(ClickHouseTable table, ApplySegment segment, Position version, string sinkName, CancellationToken cancellationToken)
    {
        if (segment.Truncate)
        {
            await _http.QueryAsync(string.Format(CultureInfo.InvariantCulture, ClickHouseSinkSql.TruncateTemplate, table.QuotedName), cancellationToken).ConfigureAwait(false);
        }

        var rows = new List<(ColumnValue[] Values, bool Deleted)>(segment.Deletes.Count + segment.Upserts.Count + segment.Inserts.Count + 2);
        if (segment.Move is { } move)
        {
            rows.Add((move.OldRow, true));
            rows.Add((move.NewRow, false));
        }

        rows.AddRange(segment.Deletes.Select(r => (r, true)));
        rows.AddRange(segment.Upserts.Select(r => (r, false)));
        rows.AddRange(segment.Inserts.Select(r => (r, false)));
        if (rows.Count == 0)
        {
            return 0;
        }

        var lastRows = await LookupUnchangedAsync(table, segment, cancellationToken).ConfigureAwait(false);
        var writer = new ClickHouseRowWriter(table, ClickHouseVersion.Encode(version), lastRows, segment.Move);
        var insert = string.Format(CultureInfo.InvariantCulture, ClickHouseSinkSql.InsertTemplate, table.QuotedName, table.InsertColumns);
        var body = WriteBody(table, capacity: 256 * rows.Count, text => writer.Write(text, rows));
        using (var content = new ClickHouseRowsContent(body.GetBuffer().AsMemory(0, (int)body.Length), _options.CompressInserts))
        {
            await _http.InsertAsync(insert, content, cancellationToken).ConfigureAwait(false);
        }

        // Acknowledged, so read to the end: reused. After a failure it is left to the collector instead (a send cut
        // short by an early error answer might still be reading it).
        _bodies.Return(body);

        foreach (var skipped in writer.SkippedKeys)
        {
            LogUnchangedWithoutRow(_logger, table.Schema.Table, skipped);
        }

        ReportFallbacks(sinkName, table, writer.Fallbacks);
        return writer.Written;
    }

    /// <summary>Counts the values kept in fallback parts, and warns once per process, table and column.</summary>
    private void ReportFallbacks(string sinkName, ClickHouseTable table, Dictionary<string, int> fallbacks)
    {
        foreach (var (column, values) in fallbacks)
        {
            PipelineInstruments.FallbackValues(sinkName, table.Schema.Table, column, values);
            if (_warnedFallbacks.TryAdd((table.Name, column), true))
            {
                LogFallback(_logger, table.Schema.Table, column, column + ClickHouseTypeMapping.TextSuffix);
            }
        }
    }

    /// <summary>
    /// The last row ClickHouse holds (FINAL, live ones only) for each key whose new row has unchanged TOAST
    /// columns, as raw TabSeparated fields of all parts in schema order, by key.
    /// </summary>
    private async Task<Dictionary<string, string[]>> LookupUnchangedAsync(ClickHouseTable table, ApplySegment segment, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var needed = segment.Upserts.Where(r => r.Any(v => v.IsUnchanged)).ToList();
        if (segment.Move is { } move && move.NewRow.Any(v => v.IsUnchanged))
        {
            needed.Add(move.OldRow);
        }

        if (needed.Count == 0)
        {
            return result;
        }

        var parts = table.Mappings.SelectMany(m => m.Parts).ToList();
        var columns = ClickHouseIdentifier.List(table.KeyParts.Select(p => p.Name).Concat(parts.Select(p => p.Name)).Append(ClickHouseSinkSql.DeletedColumn));
        var keyTuple = ClickHouseIdentifier.List(table.KeyParts.Select(p => p.Name));
        foreach (var chunk in needed.Chunk(KeysPerLookup))
        {
            var literals = new StringBuilder();
            foreach (var row in chunk)
            {
                literals.Append(literals.Length == 0 ? "(" : ", (");
                var first = true;
                foreach (var (part, keyText) in ClickHouseRowWriter.KeyValues(table, row))
                {
                    literals.Append(first ? "CAST(" : ", CAST(");
                    ClickHouseEscaping.AppendQuoted(literals, keyText);
                    literals.Append(" AS ").Append(part.Type).Append(')');
                    first = false;
                }

                literals.Append(')');
            }

            var sql = string.Format(CultureInfo.InvariantCulture, ClickHouseSinkSql.SelectLastRowsTemplate, columns, table.QuotedName, keyTuple, literals);
            var text = await _http.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split('\t');
                if (fields[^1] != "0")
                {
                    continue;
                }

                var key = string.Join('\t', fields.Take(table.KeyParts.Count));
                result[key] = fields[table.KeyParts.Count..^1];
            }
        }

        return result;
    }

    /// <summary>
    /// An insert body (UTF-8 TabSeparated rows) written in full before anything is sent: ClickHouse keeps the rows of
    /// a body that ends early (an insert abandoned at a value that cannot be converted inserted the rows before it,
    /// which a keyless table then holds twice once the batch is applied without that change), so such a value fails
    /// here with nothing inserted. A batch's body is a few MiB at most (<see cref="InsertChanges"/> changes).
    /// </summary>
    /// <remarks>The buffer comes from <see cref="_bodies"/>: give it back with <see cref="ClickHouseBodyBuffers.Return"/> once ClickHouse acknowledged it.</remarks>
    private MemoryStream WriteBody(ClickHouseTable table, int capacity, Action<TextWriter> write)
    {
        var body = _bodies.Rent(capacity);
        try
        {
            using var text = new StreamWriter(body, s_utf8, 1 << 16, leaveOpen: true);
            write(text);
        }
        catch (ClickHouseValueException value)
        {
            _bodies.Return(body);
            throw new ClickHouseValueException($"Table {table.Schema.Table}: {value.Message}");
        }
        catch
        {
            _bodies.Return(body);
            throw;
        }

        return body;
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
            if (!_controlTablesReady)
            {
                await using var connection = await _control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (var command = new NpgsqlCommand(ClickHouseSinkSql.CreateControlTables, connection))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                _controlTablesReady = true;
            }
        }
        finally
        {
            _controlTablesGate.Release();
        }
    }
}
