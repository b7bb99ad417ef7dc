using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Turns pgoutput messages (protocol 2, text values, streaming on) into <see cref="ChangeBatch"/>es: one batch
/// per table per transaction, or per chunk of <see cref="PostgresChangeStreamSettings.ChunkSize"/> changes
/// for large ones, each change at <c>Position(commit LSN, ordinal)</c> with ordinals 1, 2, ... inside the
/// transaction. Relation messages give the tables' shapes: a shape that differs from the last one seen for
/// the table (columns added, dropped, renamed, retyped, keys changed) gets the next schema version, its columns
/// numbered by their source attributes where the catalog tells them for sure (<see cref="AttributeNumbers"/>). Values
/// are copied out of Npgsql's reused message objects before the next message is read.
/// <para>
/// Streamed in-progress transactions (StreamStart/Stop/Commit/Abort) are buffered per transaction, spilling
/// to a temporary file beyond <see cref="PostgresChangeStreamSettings.SpillThreshold"/> changes, and handed
/// out at StreamCommit, when their commit LSN is known; aborted transactions and subtransactions vanish.
/// Ordinary transactions are handed out in chunks as they arrive (pgoutput sends them only once committed,
/// with the commit LSN in Begin), so memory stays at one chunk plus the spill thresholds.
/// </para>
/// Not thread-safe: one reader feeds it, in message order.
/// </summary>
public sealed class PgOutputDecoder : IAsyncDisposable
{
    private readonly PostgresTypeCatalog _catalog;
    private readonly PostgresChangeStreamSettings _settings;
    private readonly Dictionary<uint, TableSchema> _relations = [];
    private readonly Dictionary<TableName, TableSchema> _latest = [];
    private readonly Dictionary<uint, TransactionSpill> _streamed = [];
    private readonly TransactionBatches _batches = new();
    private ulong _commitLsn;
    private uint _xid;
    private DateTimeOffset? _commitTime;
    private long _ordinal;
    private bool _inTransaction;
    private uint? _streamXid;
    private long _highestSeenCommitLsn;

    /// <summary>
    /// Creates a decoder that looks type names up through <paramref name="catalogConnectionString"/> (the source
    /// database). <paramref name="knownSchemas"/> (for example from the snapshot) keep their versions when the
    /// stream reports the same shape.
    /// </summary>
    public PgOutputDecoder(string catalogConnectionString, PostgresChangeStreamSettings? settings = null, IEnumerable<TableSchema>? knownSchemas = null)
    {
        _catalog = new PostgresTypeCatalog(catalogConnectionString);
        _settings = settings ?? new PostgresChangeStreamSettings();
        foreach (var schema in knownSchemas ?? [])
        {
            _latest[schema.Table] = schema;
        }
    }

    /// <summary>
    /// The highest commit LSN of any transaction whose changes the decoder has started to hand out (known at
    /// Begin for ordinary transactions, at StreamCommit for streamed ones). Safe to read from another thread.
    /// </summary>
    public ulong HighestSeenCommitLsn => (ulong)Interlocked.Read(ref _highestSeenCommitLsn);

    /// <summary>The commit LSN of the ordinary (not streamed) transaction being decoded, from its Begin.</summary>
    public ulong TransactionCommitLsn => _commitLsn;

    /// <summary>Changes written to spill files so far (all transactions).</summary>
    public long SpilledChanges { get; private set; }

    /// <summary>Streamed transactions handed out so far.</summary>
    public long StreamedTransactions { get; private set; }

    /// <summary>The current schema of every table seen so far.</summary>
    public IReadOnlyCollection<TableSchema> Schemas => _latest.Values;

    /// <summary>
    /// Consumes one message; returns the batches it completes (lazily read from disk for a streamed commit:
    /// enumerate them before the next call), or null. Throws <see cref="PostgresReplicaIdentityException"/>
    /// for an update or delete of a table without identity.
    /// </summary>
    public async ValueTask<IEnumerable<ChangeBatch>?> HandleAsync(PgOutputReplicationMessage message, CancellationToken cancellationToken = default)
    {
        switch (message)
        {
            case BeginMessage begin:
                _commitLsn = (ulong)begin.TransactionFinalLsn;
                _xid = begin.TransactionXid;
                _commitTime = new DateTimeOffset(DateTime.SpecifyKind(begin.TransactionCommitTimestamp, DateTimeKind.Utc));
                _ordinal = 0;
                _inTransaction = true;
                RaiseHighestSeen(_commitLsn);
                return null;

            case CommitMessage commit:
                _inTransaction = false;
                return _batches.Count == 0 ? null : _batches.Drain(new Position((ulong)commit.CommitLsn, _ordinal));

            case RelationMessage relation:
                await OnRelationAsync(relation, cancellationToken);
                return null;

            case InsertMessage insert:
                return Route(new PendingChange(Schema(insert.Relation), ChangeKind.Insert, await ReadAsync(insert.NewRow, cancellationToken), null, insert.TransactionXid ?? 0));

            case FullUpdateMessage update:
            {
                var old = await ReadAsync(update.OldRow, cancellationToken);
                return Route(new PendingChange(Schema(update.Relation), ChangeKind.Update, await ReadAsync(update.NewRow, cancellationToken), old, update.TransactionXid ?? 0));
            }

            case IndexUpdateMessage update:
            {
                var key = await ReadAsync(update.Key, cancellationToken);
                return Route(new PendingChange(Schema(update.Relation), ChangeKind.Update, await ReadAsync(update.NewRow, cancellationToken), key, update.TransactionXid ?? 0));
            }

            case UpdateMessage update:
            {
                var schema = Schema(update.Relation);
                var values = await ReadAsync(update.NewRow, cancellationToken);
                return schema.HasKey
                    ? Route(new PendingChange(schema, ChangeKind.Update, values, null, update.TransactionXid ?? 0))
                    : throw new PostgresReplicaIdentityException(schema.Table, ChangeKind.Update);
            }

            case FullDeleteMessage delete:
                return Route(new PendingChange(Schema(delete.Relation), ChangeKind.Delete, [], await ReadAsync(delete.OldRow, cancellationToken), delete.TransactionXid ?? 0));

            case KeyDeleteMessage delete:
            {
                var schema = Schema(delete.Relation);
                var key = await ReadAsync(delete.Key, cancellationToken);
                return schema.HasKey
                    ? Route(new PendingChange(schema, ChangeKind.Delete, [], key, delete.TransactionXid ?? 0))
                    : throw new PostgresReplicaIdentityException(schema.Table, ChangeKind.Delete);
            }

            case TruncateMessage truncate:
            {
                List<ChangeBatch>? ready = null;
                foreach (var relation in truncate.Relations)
                {
                    if (Route(new PendingChange(Schema(relation), ChangeKind.Truncate, [], null, truncate.TransactionXid ?? 0)) is { } chunk)
                    {
                        (ready ??= []).AddRange(chunk);
                    }
                }

                return ready;
            }

            case StreamStartMessage start:
                _streamXid = start.TransactionXid;
                if (!_streamed.ContainsKey(start.TransactionXid))
                {
                    _streamed.Add(start.TransactionXid, new TransactionSpill(_settings.SpillThreshold, _settings.SpillDirectory));
                }

                return null;

            case StreamStopMessage:
                _streamXid = null;
                return null;

            case StreamCommitMessage commit:
                return _streamed.Remove(commit.TransactionXid, out var committed)
                    ? ReplayCommitted(committed, (ulong)commit.CommitLsn, commit.TransactionXid, new DateTimeOffset(DateTime.SpecifyKind(commit.TransactionCommitTimestamp, DateTimeKind.Utc)))
                    : null;

            case StreamAbortMessage abort:
                if (abort.TransactionXid == abort.SubtransactionXid)
                {
                    if (_streamed.Remove(abort.TransactionXid, out var aborted))
                    {
                        aborted.Dispose();
                    }
                }
                else if (_streamed.TryGetValue(abort.TransactionXid, out var parent))
                {
                    parent.AbortSubtransaction(abort.SubtransactionXid);
                }

                return null;

            default:
                // Type, Origin and logical decoding messages carry nothing to replicate.
                return null;
        }
    }

    /// <summary>
    /// Gives the current schema of <paramref name="certain"/>'s table the attribute numbers of
    /// <paramref name="certain"/> (read from the source under a snapshot), when it lacks them and has the same
    /// columns otherwise; the version stays. Returns whether it did. Called on the reading thread.
    /// </summary>
    public bool Adopt(TableSchema certain)
    {
        ArgumentNullException.ThrowIfNull(certain);
        if (!_latest.TryGetValue(certain.Table, out var current) || current.HasAttributeNumbers || !certain.HasAttributeNumbers || !current.LooksLike(certain))
        {
            return false;
        }

        var adopted = current with { Columns = certain.Columns };
        _latest[certain.Table] = adopted;
        foreach (var (relation, schema) in _relations.ToList())
        {
            if (ReferenceEquals(schema, current))
            {
                _relations[relation] = adopted;
            }
        }

        return true;
    }

    /// <summary>Deletes the spill files of transactions still in progress.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var spill in _streamed.Values)
        {
            spill.Dispose();
        }

        _streamed.Clear();
        await _catalog.DisposeAsync();
    }

    private List<ChangeBatch>? Route(PendingChange change)
    {
        if (_streamXid is { } top)
        {
            _streamed[top].Add(change);
            return null;
        }

        if (!_inTransaction)
        {
            throw new InvalidOperationException($"pgoutput sent a {change.Kind} change of {change.Schema.Table} outside a transaction.");
        }

        _batches.Add(change.At(new Position(_commitLsn, ++_ordinal), _xid, _commitTime));
        return _batches.Count >= _settings.ChunkSize ? _batches.Drain(transactionEnd: null) : null;
    }

    private IEnumerable<ChangeBatch> ReplayCommitted(TransactionSpill spill, ulong commitLsn, uint xid, DateTimeOffset commitTime)
    {
        RaiseHighestSeen(commitLsn);
        StreamedTransactions++;
        SpilledChanges += spill.Spilled;
        using (spill)
        {
            var batches = new TransactionBatches();
            var ordinal = 0L;
            foreach (var change in spill.Replay())
            {
                batches.Add(change.At(new Position(commitLsn, ++ordinal), xid, commitTime));
                if (batches.Count >= _settings.ChunkSize)
                {
                    foreach (var batch in batches.Drain(transactionEnd: null))
                    {
                        yield return batch;
                    }
                }
            }

            foreach (var batch in batches.Drain(new Position(commitLsn, ordinal)))
            {
                yield return batch;
            }
        }
    }

    private async Task OnRelationAsync(RelationMessage relation, CancellationToken cancellationToken)
    {
        // Copy everything out now: Npgsql repopulates the same RelationMessage when the relation is sent again.
        var table = new TableName(relation.Namespace, relation.RelationName);
        var columns = relation.Columns.ToArray();
        var typeNames = await _catalog.FormatTypesAsync(columns.Select(c => (c.DataTypeId, c.TypeModifier)).ToList(), cancellationToken);

        // Under REPLICA IDENTITY FULL pgoutput flags every column; the key that identifies rows at a
        // destination is still the primary key when there is one (the snapshot reader applies the same rule).
        HashSet<string>? primaryKey = null;
        if (relation.ReplicaIdentity == RelationMessage.ReplicaIdentitySetting.AllColumns)
        {
            primaryKey = await _catalog.PrimaryKeyAsync(relation.RelationId, cancellationToken);
        }

        // Attribute numbers tell a rename from a drop plus an add; 0 where the catalog cannot say for sure.
        _latest.TryGetValue(table, out var previous);
        var attributes = await _catalog.AttributesAsync(relation.RelationId, cancellationToken);
        var numbers = AttributeNumbers.Resolve([.. columns.Select(c => (c.ColumnName, c.DataTypeId, c.TypeModifier))], previous, attributes);

        var shape = new ColumnSchema[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            var isKey = primaryKey is null
                ? (columns[i].Flags & RelationMessage.Column.ColumnFlags.PartOfKey) != 0
                : primaryKey.Count == 0 || primaryKey.Contains(columns[i].ColumnName);
            shape[i] = new ColumnSchema(columns[i].ColumnName, typeNames[i], columns[i].DataTypeId, isKey, numbers?[i] ?? 0);
        }

        var schema = previous is not null && previous.Columns.SequenceEqual(shape)
            ? previous
            : new TableSchema(table, (previous?.Version ?? 0) + 1, shape);
        _latest[table] = schema;
        _relations[relation.RelationId] = schema;
    }

    private TableSchema Schema(RelationMessage relation) =>
        _relations.TryGetValue(relation.RelationId, out var schema)
            ? schema
            : throw new InvalidOperationException($"pgoutput sent a change of relation {relation.RelationId} ({relation.Namespace}.{relation.RelationName}) before its Relation message.");

    private static async ValueTask<ColumnValue[]> ReadAsync(ReplicationTuple tuple, CancellationToken cancellationToken)
    {
        var values = new ColumnValue[tuple.NumColumns];
        var i = 0;
        await foreach (var value in tuple.WithCancellation(cancellationToken))
        {
            values[i++] = value.Kind switch
            {
                TupleDataKind.Null => ColumnValue.Null,
                TupleDataKind.UnchangedToastedValue => ColumnValue.Unchanged,
                TupleDataKind.TextValue => ColumnValue.Of(await value.Get<string>(cancellationToken)),
                _ => throw new InvalidOperationException($"pgoutput sent a {value.Kind} value; the stream is opened without the binary option and expects text."),
            };
        }

        return values;
    }

    private void RaiseHighestSeen(ulong lsn)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _highestSeenCommitLsn);
            if ((ulong)current >= lsn)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _highestSeenCommitLsn, (long)lsn, current) != current);
    }
}
