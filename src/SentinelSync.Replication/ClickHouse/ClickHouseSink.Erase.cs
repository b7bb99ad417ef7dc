using System.Data;
using System.Globalization;
using System.Text;
using SentinelSync.Replication.Erasure;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.ClickHouse;

public sealed partial class ClickHouseSink : IErasingSink
{
    private static readonly TimeSpan s_mutationPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Removes every version of the key's row (tombstones included: an old version holds the values until a merge
    /// drops it, and FINAL only hides it) with <c>ALTER TABLE … DELETE</c>, a mutation that rewrites the parts holding
    /// the key, and waits until ClickHouse reports it done (18.16 has no lightweight DELETE and no
    /// <c>mutations_sync</c>), then checks that no version is left. Fenced by the sink's offset row in the control
    /// database, held locked throughout (the offset does not move). Returns the versions removed.
    /// </summary>
    public async Task<SinkErasureCount> EraseAsync(RowChange delete, string sinkName, long epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delete);
        var key = ErasureKeys.Of(delete);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await s_offsets.BeginBatchAsync(connection, sinkName, new ChangeBatch(delete.Schema.Table, [], default), epoch, replay: true, cancellationToken).ConfigureAwait(false);

        var table = await _schemas.DescribeStoredAsync(connection, delete.Schema.Table, cancellationToken).ConfigureAwait(false);
        if (table is null)
        {
            return new SinkErasureCount(0, "row versions", $"no table {ClickHouseSinkOptions.TargetOf(delete.Schema.Table)} at the destination");
        }

        var where = KeyCondition(table, key);
        var countSql = $"SELECT count() FROM {table.QuotedName} WHERE {where}";
        var versions = long.Parse((await _http.QueryAsync(countSql, cancellationToken).ConfigureAwait(false)).Trim(), CultureInfo.InvariantCulture);
        if (versions > 0)
        {
            await _http.QueryAsync($"ALTER TABLE {table.QuotedName} DELETE WHERE {where}", cancellationToken).ConfigureAwait(false);
            await WaitForMutationsAsync(table, cancellationToken).ConfigureAwait(false);
            var left = long.Parse((await _http.QueryAsync(countSql, cancellationToken).ConfigureAwait(false)).Trim(), CultureInfo.InvariantCulture);
            if (left > 0)
            {
                throw new InvalidOperationException($"ClickHouse table {table.Name} still holds {left} version(s) of the key after the delete mutation finished.");
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SinkErasureCount(versions, "row versions", $"ALTER TABLE {table.Name} DELETE (mutation finished)");
    }

    /// <summary><c>(k1, k2) IN ((CAST('…' AS T1), CAST('…' AS T2)))</c> over the stored table's key parts, values found by column name.</summary>
    private static string KeyCondition(ClickHouseTable table, IReadOnlyList<(string Column, string Text)> key)
    {
        var byName = key.ToDictionary(k => k.Column, k => k.Text, StringComparer.Ordinal);
        var keyColumns = table.Schema.Columns.Where(c => c.IsKey).Select(c => c.Name).ToList();
        if (!keyColumns.Order(StringComparer.Ordinal).SequenceEqual(byName.Keys.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"ClickHouse table {table.Name} is keyed by ({string.Join(", ", keyColumns)}), not by ({string.Join(", ", byName.Keys)}); the erasure cannot address its rows.");
        }

        var row = table.Schema.Columns.Select(c => byName.TryGetValue(c.Name, out var text) && c.IsKey ? ColumnValue.Of(text) : ColumnValue.Null).ToArray();
        var literals = new StringBuilder("(");
        foreach (var (part, text) in ClickHouseRowWriter.KeyValues(table, row))
        {
            literals.Append(literals.Length == 1 ? "CAST(" : ", CAST(");
            ClickHouseEscaping.AppendQuoted(literals, text);
            literals.Append(" AS ").Append(part.Type).Append(')');
        }

        literals.Append(')');
        return $"({ClickHouseIdentifier.List(table.KeyParts.Select(p => p.Name))}) IN ({literals})";
    }

    /// <summary>Waits until no mutation of the table is pending (ours among them), within the request timeout.</summary>
    private async Task WaitForMutationsAsync(ClickHouseTable table, CancellationToken cancellationToken)
    {
        var database = ClickHouseEscaping.Quoted(_options.Database);
        var sql = $"SELECT count() FROM system.mutations WHERE database = {database} AND table = {ClickHouseEscaping.Quoted(table.Name)} AND is_done = 0";
        var deadline = DateTimeOffset.UtcNow + _options.RequestTimeout;
        while ((await _http.QueryAsync(sql, cancellationToken).ConfigureAwait(false)).Trim() != "0")
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"ClickHouse did not finish the delete mutation of {table.Name} within {_options.RequestTimeout} (see system.mutations).");
            }

            await Task.Delay(s_mutationPoll, cancellationToken).ConfigureAwait(false);
        }
    }
}
