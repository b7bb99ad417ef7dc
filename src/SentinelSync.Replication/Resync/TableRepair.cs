using Npgsql;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Resync;

/// <summary>
/// Re-copies exactly some keys of one table while the pipeline streams, with the resync's watermark window
/// (<see cref="TableResync"/>): a Low mark, the keys' current rows read, a High mark. From Low to High the
/// stream holds the table's batches; at the High mark the rows are pushed positioned at the Low mark's commit
/// LSN — an upsert for each key the source still has, a delete for each it no longer has — then the held
/// batches. So the repair lands in stream order through the table's sink grains, with their fencing and their
/// position rule, and a change committed meanwhile is applied after it. Nothing else of the table is touched.
/// </summary>
internal sealed class TableRepair : IWatermarkWindow
{
    private readonly Lock _lock = new();
    private readonly string _pipeline;
    private readonly string _slot;
    private readonly IReadOnlyList<string[]> _keys;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private List<ChangeBatch>? _held;
    private bool _opened;
    private ulong? _confirmBound;
    private (TableSchema Schema, List<ColumnValue[]> Rows, List<int> Missing)? _read;
    private TaskCompletionSource? _pushed;
    private string _state = "copying";
    private int _upserted;
    private int _deleted;
    private DateTimeOffset? _finishedAt;
    private string? _error;

    public TableRepair(string pipeline, string slot, TableName table, IReadOnlyList<string[]> keys)
    {
        _pipeline = pipeline;
        _slot = slot;
        _keys = keys;
        Table = table;
        Id = "r" + Guid.NewGuid().ToString("N")[..11];
    }

    public string Id { get; }

    public TableName Table { get; }

    public TableSchema? StartSchema => null;

    /// <summary>The position of the last repaired row pushed (the sinks applied the repair once they reach it).</summary>
    public Position LastPushed { get; private set; }

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

    public RepairStatus Status
    {
        get
        {
            lock (_lock)
            {
                return new RepairStatus(_pipeline, Table.ToString(), Id, _state, _keys.Count, _upserted, _deleted, _startedAt, _finishedAt, _error);
            }
        }
    }

    /// <summary>The copy side: Low mark, the keys read, High mark, then waits until the stream pushed them.</summary>
    public async Task CopyAsync(string connectionString, CancellationToken cancellationToken)
    {
        var reader = new PostgresChunkReader(connectionString);
        await using var marks = new NpgsqlConnection(connectionString);
        await marks.OpenAsync(cancellationToken);
        await Mark(ResyncWatermarkKind.Low).EmitAsync(marks, cancellationToken);
        try
        {
            var (schema, rows, missing) = await reader.ReadKeysAsync(Table, _keys, cancellationToken);
            var pushed = Offer(schema, rows, missing);
            await Mark(ResyncWatermarkKind.High).EmitAsync(marks, cancellationToken);
            await pushed.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The High mark closes the window even without rows, so the stream releases what it holds.
            await Mark(ResyncWatermarkKind.High).EmitAsync(marks, CancellationToken.None);
            throw;
        }

        SetState("applying");
    }

    /// <summary>Copy side: the keys' rows read after the Low mark (and the indexes of keys without a row); completes once pushed.</summary>
    internal Task Offer(TableSchema schema, List<ColumnValue[]> rows, List<int> missing)
    {
        var pushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _read = (schema, rows, missing);
            _pushed = pushed;
        }

        return pushed.Task;
    }

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

    public IReadOnlyList<ChangeBatch> OnWatermark(ResyncWatermark mark, ulong commitLsn, TableSchema? streamSchema)
    {
        lock (_lock)
        {
            switch (mark.Kind)
            {
                case ResyncWatermarkKind.Low when !_opened && _finishedAt is null:
                    _opened = true;
                    _held = [];
                    _confirmBound = commitLsn;
                    return [];

                case ResyncWatermarkKind.High when _held is not null:
                    return TakeRows(streamSchema);

                default:
                    return [];
            }
        }
    }

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
            _pushed?.TrySetCanceled();
        }
    }

    private List<ChangeBatch> TakeRows(TableSchema? streamSchema)
    {
        var batches = new List<ChangeBatch>(_held!.Count + 1);
        var lowLsn = _confirmBound!.Value;
        if (_read is { } read)
        {
            _read = null;
            if (streamSchema is not null && !streamSchema.LooksLike(read.Schema))
            {
                _pushed!.TrySetException(new ResyncRejectedException(
                    $"The shape of {Table} changed during its repair; reconcile again once a change to the table has been replicated."));
            }
            else
            {
                var schema = streamSchema ?? read.Schema;
                var changes = new List<RowChange>(read.Rows.Count + read.Missing.Count);
                foreach (var row in read.Rows)
                {
                    changes.Add(new RowChange(ChangeKind.Snapshot, new Position(lowLsn, changes.Count + 1), schema, row));
                }

                var keyIndexes = schema.KeyIndexes.ToArray();
                foreach (var missing in read.Missing)
                {
                    var oldKey = new ColumnValue[schema.Columns.Count];
                    Array.Fill(oldKey, ColumnValue.Null);
                    for (var k = 0; k < keyIndexes.Length; k++)
                    {
                        oldKey[keyIndexes[k]] = ColumnValue.Of(_keys[missing][k]);
                    }

                    changes.Add(new RowChange(ChangeKind.Delete, new Position(lowLsn, changes.Count + 1), schema, [], oldKey));
                }

                if (changes.Count > 0)
                {
                    LastPushed = changes[^1].Position;
                    batches.Add(new ChangeBatch(Table, changes, LastPushed));
                }

                _upserted = read.Rows.Count;
                _deleted = read.Missing.Count;
                _pushed!.TrySetResult();
            }
        }

        batches.AddRange(_held);
        _held = null;
        return batches;
    }

    private ResyncWatermark Mark(ResyncWatermarkKind kind) => new(_slot, Id, 0, kind);

    private void SetState(string state)
    {
        lock (_lock)
        {
            _state = state;
        }
    }
}
