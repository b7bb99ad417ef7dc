using Npgsql;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Resync;

/// <summary>
/// One run of re-snapshotting a table while its pipeline keeps streaming every table, this one included, with
/// watermarks in the WAL (Postgres logical decoding messages) in the manner of Netflix's DBLog:
/// <list type="number">
/// <item>A Start mark: where the stream reaches it, the destination table is truncated (so rows deleted at the
/// source, or drifted at the destination, do not survive the resync).</item>
/// <item>Per chunk of <see cref="ChunkRows"/> rows in key order: a Low mark, the chunk read as the current
/// committed state, a High mark. From the Low mark to the High mark the stream holds this table's batches
/// back (other tables flow on). At the High mark the chunk's rows are pushed positioned at the Low mark's
/// commit LSN (after every change before it, before every change after it), then the held batches. A chunk
/// row may already include a held change; applying that change again on top gives the same row, which is
/// what makes the order safe even for updates that carry only some columns (unchanged TOAST values).</item>
/// </list>
/// Every row thus lands in stream order, so the sinks' position rule applies unchanged and nothing is lost or
/// applied twice. Memory: one chunk plus the table's changes during one chunk read. While a window is open the
/// slot is not confirmed beyond its Low mark (<see cref="ConfirmBound"/>): held changes are not applied yet.
/// The copy side (<see cref="CopyAsync"/>) runs on its own task; the stream side (<see cref="Hold"/>,
/// <see cref="OnWatermark"/>, <see cref="Release"/>) on the source's reading loop.
/// </summary>
internal sealed class TableResync : IWatermarkWindow
{
    /// <summary>Rows per chunk: the memory a resync holds, and the size of the batches it pushes.</summary>
    public const int ChunkRows = 10_000;

    private readonly Lock _lock = new();
    private readonly string _pipeline;
    private readonly string _slot;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private TableSchema? _startSchema;
    private int _nextChunk;
    private List<ChangeBatch>? _held;
    private ulong? _confirmBound;
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

    /// <summary>The table's shape read when the copy began (attribute numbers included), or null before.</summary>
    public TableSchema? StartSchema
    {
        get
        {
            lock (_lock)
            {
                return _startSchema;
            }
        }
    }

    /// <summary>Tells this run's marks from an earlier, interrupted run's (streamed again after a restart).</summary>
    public string Id { get; }

    /// <summary>The position of the last chunk rows pushed (the sinks have applied the resync once they reach it).</summary>
    public Position LastPushed { get; private set; }

    /// <summary>While changes are held (from a Low mark until they are pushed): the slot must not be confirmed beyond this.</summary>
    public ulong? ConfirmBound
    {
        get
        {
            lock (_lock)
            {
                return _confirmBound;
            }
        }
    }

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
            List<ColumnValue[]> rows;
            try
            {
                TableSchema schema;
                (schema, rows) = await reader.ReadAsync(Table, after, ChunkRows, cancellationToken);
                var pushed = Offer(chunk, schema, rows);
                await Mark(chunk, ResyncWatermarkKind.High).EmitAsync(marks, cancellationToken);
                await pushed.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The High mark closes the window even without a chunk, so the stream releases what it holds.
                await Mark(chunk, ResyncWatermarkKind.High).EmitAsync(marks, CancellationToken.None);
                throw;
            }

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

    /// <summary>Stream side: keeps a batch of this table back while a chunk's window is open (true), to push it after the chunk.</summary>
    public bool Hold(ChangeBatch batch)
    {
        lock (_lock)
        {
            if (_held is null || batch.Table != Table)
            {
                return false;
            }

            _held.Add(batch);
            return true;
        }
    }

    /// <summary>
    /// Stream side, at one of this run's marks (<paramref name="commitLsn"/> is its transaction's): the batches
    /// to push there, in order — the truncate at the Start mark; at a High mark the chunk's rows, then the
    /// held batches. After pushing them call <see cref="Release"/>. <paramref name="streamSchema"/> is the
    /// table's shape as the stream last saw it: a chunk read under another shape is refused (the resync fails)
    /// rather than written under the wrong columns; the held batches are returned all the same.
    /// </summary>
    public IReadOnlyList<ChangeBatch> OnWatermark(ResyncWatermark mark, ulong commitLsn, TableSchema? streamSchema)
    {
        lock (_lock)
        {
            switch (mark.Kind)
            {
                case ResyncWatermarkKind.Start when _startSchema is not null && _nextChunk == 0 && LastPushed == default:
                    var truncate = new RowChange(ChangeKind.Truncate, new Position(commitLsn, 1), streamSchema ?? _startSchema, []);
                    LastPushed = truncate.Position;
                    return [new ChangeBatch(Table, [truncate], truncate.Position)];

                case ResyncWatermarkKind.Low when mark.Chunk == _nextChunk && _held is null && _finishedAt is null:
                    _held = [];
                    _confirmBound = commitLsn;
                    return [];

                case ResyncWatermarkKind.High when mark.Chunk == _nextChunk && _held is not null:
                    return TakeChunk(mark.Chunk, streamSchema);

                default:
                    return [];
            }
        }
    }

    /// <summary>Stream side: the batches <see cref="OnWatermark"/> returned are pushed; the slot may be confirmed past them.</summary>
    public void Release()
    {
        lock (_lock)
        {
            if (_held is null)
            {
                _confirmBound = null;
            }
        }
    }

    /// <summary>
    /// Stream side: the batches still held by a run that ended with its window open (its High mark could not be
    /// written), to push now; empty otherwise. Call <see cref="Release"/> after pushing them.
    /// </summary>
    public IReadOnlyList<ChangeBatch> TakeAbandoned()
    {
        lock (_lock)
        {
            if (_finishedAt is null || _held is null)
            {
                return [];
            }

            var held = _held;
            _held = null;
            return held;
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

    private List<ChangeBatch> TakeChunk(int chunk, TableSchema? streamSchema)
    {
        var batches = new List<ChangeBatch>(_held!.Count + 1);
        var lowLsn = _confirmBound!.Value;
        if (_read is { } read && read.Chunk == chunk)
        {
            _read = null;
            if (streamSchema is not null && !streamSchema.LooksLike(read.Schema))
            {
                _chunkPushed!.TrySetException(new ResyncRejectedException(
                    $"The shape of {Table} changed during its resync ({Describe(read.Schema)} read, {Describe(streamSchema)} streamed); run the resync again once a change to the table has been replicated."));
            }
            else
            {
                var schema = streamSchema ?? read.Schema;
                var rows = new List<RowChange>(read.Rows.Count);
                foreach (var row in read.Rows)
                {
                    rows.Add(new RowChange(ChangeKind.Snapshot, new Position(lowLsn, rows.Count + 1), schema, row));
                }

                if (rows.Count > 0)
                {
                    LastPushed = rows[^1].Position;
                    batches.Add(new ChangeBatch(Table, rows, LastPushed));
                }

                _rowsCopied += rows.Count;
                _chunks++;
                _nextChunk++;
                _chunkPushed!.TrySetResult();
            }
        }

        batches.AddRange(_held);
        _held = null;
        return batches;
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
