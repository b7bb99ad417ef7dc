using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Replication.Reconcile;

/// <summary>The destination side of a table comparison for a sink, with the text form and chunking it needs.</summary>
internal static class DestinationSide
{
    public static (ITableSide Side, ComparableForm Form, bool Buckets) For(SinkConfig sink, TableSchema schema)
    {
        if (sink.Postgres is { } postgres)
        {
            var form = ComparableForm.Postgres;
            return (new PostgresTableSide(postgres.Connection, postgres.TargetOf(schema.Table), schema.Columns, only: false, snapshot: null, form), form, false);
        }

        var clickHouse = new ClickHouseComparableForm(schema.Columns);
        return (new ClickHouseTableSide(sink.ClickHouse!, schema.Table, schema.Columns, clickHouse), clickHouse, true);
    }

    /// <summary>Whether drifted keys of this table can be repaired by their compared text (false: <paramref name="why"/> says why).</summary>
    public static bool CanRepair(SinkConfig sink, TableSchema schema, out string why)
    {
        why = "";
        if (sink.ClickHouse is null)
        {
            return true;
        }

        var form = new ClickHouseComparableForm(schema.Columns);
        if (schema.Columns.FirstOrDefault(c => c.IsKey && !form.IsLiteral(c)) is { } key)
        {
            why = $"Key column {key.Name} ({key.TypeName}) is compared with ClickHouse as a number of days or microseconds, not by value: its drifted rows cannot be repaired by key; resync the table instead.";
            return false;
        }

        return true;
    }
}
