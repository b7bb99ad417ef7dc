using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// Tables whose stream a source stopped because a schema version came without attribute numbers: the source could
/// not tell for sure whether columns were renamed or dropped and added (<see cref="Postgres.AttributeNumbers"/>),
/// and a guess would decide where values go. From the first such change on, the table's batches are not pushed
/// and the slot is not confirmed past them (its WAL stays); the other tables flow. A resync of the table
/// releases it at its Start mark, whose truncate supersedes everything held. A restart streams the held changes
/// again, and stops the table again if its shape still cannot be told.
/// </summary>
internal sealed partial class StoppedTables(string pipeline, ILogger logger)
{
    private readonly ConcurrentDictionary<TableName, ulong> _holdFrom = [];

    /// <summary>The highest LSN the slot may be confirmed to while tables are stopped (below their first held change).</summary>
    public ulong? ConfirmBound => _holdFrom.IsEmpty ? null : _holdFrom.Values.Min() - 1;

    public bool IsStopped(TableName table) => _holdFrom.ContainsKey(table);

    /// <summary>The tables stopped now (for the pipeline's status).</summary>
    public IReadOnlyList<TableName> Tables => [.. _holdFrom.Keys];

    /// <summary>True when <paramref name="batch"/> must not be pushed: its table is stopped, or this batch stops it.</summary>
    public bool Hold(ChangeBatch batch)
    {
        if (_holdFrom.ContainsKey(batch.Table))
        {
            return true;
        }

        if (batch.Changes.FirstOrDefault(c => !c.Schema.HasAttributeNumbers) is not { } unknown)
        {
            return false;
        }

        _holdFrom[batch.Table] = batch.Changes[0].Position.Lsn;
        LogStopped(logger, pipeline, batch.Table, unknown.Schema.Version, string.Join(", ", unknown.Schema.Columns.Select(c => $"{c.Name} {c.TypeName}")));
        return true;
    }

    /// <summary>The table's resync reached its Start mark: what was held is superseded by its truncate.</summary>
    public void Release(TableName table)
    {
        if (_holdFrom.TryRemove(table, out _))
        {
            LogReleased(logger, pipeline, table);
        }
    }
}
