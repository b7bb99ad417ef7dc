using Npgsql;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Resync;

/// <summary>
/// One run of re-snapshotting a table while its pipeline keeps streaming every table, this one included
/// (the watermark algorithm of Netflix's DBLog, with Postgres logical decoding messages as watermarks):
/// <list type="number">
/// <item>A Start mark: where the stream reaches it, the destination table is truncated (so rows deleted at
/// the source, or drifted at the destination, do not survive the resync).</item>
/// <item>Per chunk of <see cref="ChunkRows"/> rows in key order: a Low mark, the chunk read as the current
/// committed state, a High mark. Between the two marks the stream records the keys its changes touch; at the
/// High mark the chunk's other rows are pushed as snapshot rows, positioned at the mark's commit LSN. A key
/// the stream touched in between is left to the stream: its change is at least as new as the chunk's row.</item>
/// </list>
/// Every row thus lands in stream order, so the sinks' position rule applies unchanged and no change is lost
/// or applied twice; memory is one chunk. The copy side (<see cref="CopyAsync"/>) runs on its own task; the
/// stream side (<see cref="Observe"/>, <see cref="OnWatermark"/>) on the source's reading loop.
/// </summary>
internal sealed class TableResync
{
    /// <summary>Rows per chunk: the memory a resync holds, and the size of the batches it pushes.</summary>
    public const int ChunkRows = 10_000;

    private readonly Lock _lock = new();
    private readonly string _pipeline;
    private readonly string _slot;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private TableSchema? _startSchema;
    private int _nextChunk;
    private HashSet<string>? _window;
    private bool _windowTruncated;
    private (int Chunk, TableSchema Schema, List<ColumnValue[]> Rows)? _read;
    private TaskCompletionSource? _chunkPushed;
    private string _state = "starting";
    private long _rowsCopied;
    private long _rowsEstimated;
    private int _chunks;
    private DateTimeOffset? _finishedAt;
    private string? _error;

    public TableResync(string pipeline, string slot, TableName table)
    {
        _pipeline = pipeline;
        _slot = slot;
        Table = table;
        Id = Guid.NewGuid().ToString("N")[..12];
    }

    public TableName Table { get; }

    /// <summary>Tells this run's marks from an earlier, interrupted run's (streamed again after a restart).</summary>
    public string Id { get; }

    /// <summary>The position of the last rows pushed (the sinks have applied the resync once they reach it).</summary>
    public Position LastPushed { get; private set; }

    public bool IsFinished
    {
        get
        {
            lock (_lock)
            {
                return _finishedAt is not null;
            }
        }
    }

    public ResyncStatus Status
    {
        get
        {
            lock (_lock)
            {
                return new ResyncStatus(_pipeline, Table.ToString(), Id, _state, _rowsCopied, Math.Max(_rowsEstimated, _rowsCopied), _chunks, _startedAt, _finishedAt, _error);
            }
        }
    }

    /// <summary>
    /// The copy side: the Start mark, then chunk after chunk (Low mark, read, High mark, wait until the stream
    /// pushed it) until a chunk comes back short. Returns when every row was pushed; the caller waits for the
    /// sinks. Throws when the table cannot be read in key order or the stream refused a chunk.
    /// </summary>
    public async Task CopyAsync(string connectionString, CancellationToken cancellationToken)
    {
        var reader = new PostgresChunkReader(connectionString);
        SetState("copying");
        var estimate = await reader.EstimateRowsAsync(Table, cancellationToken);
        lock (_lock)
        {
            _rowsEstimated = estimate;
        }

        await using var marks = new NpgsqlConnection(connectionString);
        await marks.OpenAsync(cancellationToken);

        // Reading no row checks that the table exists and has a key to page by, before anything is truncated.
        Begin((await reader.ReadAsync(Table, null, 0, cancellationToken)).Schema);
        await Mark(0, ResyncWatermarkKind.Start).EmitAsync(marks, cancellationToken);

        ColumnValue[]? after = null;
        for (var chunk = 0; ; chunk++)
        {
            await Mark(chunk, ResyncWatermarkKind.Low).EmitAsync(marks, cancellationToken);
            var (schema, rows) = await reader.ReadAsync(Table, after, ChunkRows, cancellationToken);
            var pushed = Offer(chunk, schema, rows);
            await Mark(chunk, ResyncWatermarkKind.High).EmitAsync(marks, cancellationToken);
            await pushed.WaitAsync(cancellationToken);
            if (rows.Count < ChunkRows)
            {
                break;
            }

            after = rows[^1];
        }

        SetState("applying");
    }

    /// <summary>Copy side: the table's shape when the resync began, for the truncate at the Start mark.</summary>
    internal void Begin(TableSchema schema)
    {
        lock (_lock)
        {
            _startSchema = schema;
        }
    }

    /// <summary>Copy side: a chunk read after its Low mark; the task completes once the stream took it at its High mark.</summary>
    internal Task Offer(int chunk, TableSchema schema, List<ColumnValue[]> rows)
    {
        var pushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _read = (chunk, schema, rows);
            _chunkPushed = pushed;
        }

        return pushed.Task;
    }

    /// <summary>Stream side: records the keys a streamed batch of this table touches while a chunk is open.</summary>
    public void Observe(ChangeBatch batch)
    {
        lock (_lock)
        {
            if (_window is null || batch.Table != Table)
            {
                return;
            }

            foreach (var change in batch.Changes)
            {
                if (change.Kind == ChangeKind.Truncate)
                {
                    _windowTruncated = true;
                }

                foreach (var key in RowKeys.Of(change))
                {
                    _window.Add(key);
                }
            }
        }
    }

    /// <summary>
    /// Stream side, at one of this run's marks (<paramref name="commitLsn"/> is its transaction's): returns the
    /// batch to push there — the truncate at the Start mark, the chunk's surviving rows at a High mark — or
    /// null. <paramref name="streamSchema"/> is the table's shape as the stream last saw it: a chunk read under
    /// another shape is refused (the resync fails) rather than written under the wrong columns.
    /// </summary>
    public ChangeBatch? OnWatermark(ResyncWatermark mark, ulong commitLsn, TableSchema? streamSchema)
    {
        lock (_lock)
        {
            switch (mark.Kind)
            {
                case ResyncWatermarkKind.Start when _startSchema is not null:
                    var truncate = new RowChange(ChangeKind.Truncate, new Position(commitLsn, 1), streamSchema ?? _startSchema, []);
                    LastPushed = truncate.Position;
                    return new ChangeBatch(Table, [truncate], truncate.Position);

                case ResyncWatermarkKind.Low when mark.Chunk == _nextChunk:
                    _window = [];
                    _windowTruncated = false;
                    return null;

                case ResyncWatermarkKind.High when mark.Chunk == _nextChunk && _window is not null && _read is { } read && read.Chunk == mark.Chunk:
                    return TakeChunk(read, commitLsn, streamSchema);

                default:
                    return null;
            }
        }
    }

    public void Finish(string state, string? error = null)
    {
        lock (_lock)
        {
            _state = state;
            _error = error;
            _finishedAt = DateTimeOffset.UtcNow;
            _chunkPushed?.TrySetCanceled();
        }
    }

    private ChangeBatch? TakeChunk((int Chunk, TableSchema Schema, List<ColumnValue[]> Rows) read, ulong commitLsn, TableSchema? streamSchema)
    {
        var window = _window!;
        _window = null;
        if (streamSchema is not null && !streamSchema.Columns.SequenceEqual(read.Schema.Columns))
        {
            _chunkPushed!.TrySetException(new ResyncRejectedException(
                $"The shape of {Table} changed during its resync ({Describe(read.Schema)} read, {Describe(streamSchema)} streamed); run the resync again once a change to the table has been replicated."));
            return null;
        }

        var schema = streamSchema ?? read.Schema;
        var keys = schema.KeyIndexes.ToList();
        var changes = new List<RowChange>(read.Rows.Count);
        foreach (var row in _windowTruncated ? [] : read.Rows)
        {
            var change = new RowChange(ChangeKind.Snapshot, new Position(commitLsn, changes.Count + 1), schema, row);
            if (!window.Contains(RowKeys.Of(change).First()))
            {
                changes.Add(change);
            }
        }

        _rowsCopied += read.Rows.Count;
        _chunks++;
        _nextChunk++;
        _read = null;
        _chunkPushed!.TrySetResult();
        if (changes.Count == 0)
        {
            return null;
        }

        LastPushed = changes[^1].Position;
        return new ChangeBatch(Table, changes, LastPushed);
    }

    private static string Describe(TableSchema schema) => string.Join(", ", schema.Columns.Select(c => $"{c.Name} {c.TypeName}"));

    private ResyncWatermark Mark(int chunk, ResyncWatermarkKind kind) => new(_slot, Id, chunk, kind);

    private void SetState(string state)
    {
        lock (_lock)
        {
            _state = state;
        }
    }
}
