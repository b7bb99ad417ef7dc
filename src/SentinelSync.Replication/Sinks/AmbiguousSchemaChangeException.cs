namespace SentinelSync.Replication.Sinks;

/// <summary>
/// The columns changed between two schema versions in a way only the source's attribute numbers could tell (a
/// rename, or a drop and an add), and one of the versions lacks them. Nothing was written: the sink does not guess
/// where a column's values go. The table waits (the slot keeps its changes) until it is resynced
/// (<c>sentinel resync</c>), whose truncate lets the new shape be taken without carrying values across.
/// </summary>
public sealed class AmbiguousSchemaChangeException(TableSchema previous, TableSchema next)
    : InvalidOperationException(
        $"Table {next.Table}: cannot tell for sure whether columns were renamed or dropped and added between schema versions {previous.Version} ({Describe(previous)}) and {next.Version} ({Describe(next)}); "
        + $"the table waits rather than guess where their values go. Resync it: sentinel resync <pipeline> {next.Table} (the other tables keep flowing).")
{
    public TableName Table { get; } = next.Table;

    private static string Describe(TableSchema schema) => string.Join(", ", schema.Columns.Select(c => $"{c.Name} {c.TypeName}"));
}
