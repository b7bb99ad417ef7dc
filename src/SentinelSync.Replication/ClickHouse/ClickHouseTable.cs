namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// A target table as the sink writes it for one source schema: the column mappings in schema order (their parts
/// in that order too, then <c>_version</c> and <c>_deleted</c>), and the key parts.
/// </summary>
internal sealed class ClickHouseTable
{
    public ClickHouseTable(string database, string name, TableSchema schema, IReadOnlyList<ClickHouseColumnMapping> mappings)
    {
        Name = name;
        QuotedName = ClickHouseIdentifier.Quote(database, name);
        Schema = schema;
        Mappings = mappings;
        KeyParts = mappings.SelectMany(m => m.Parts).Where(p => p.IsKey).ToList();
        InsertColumns = ClickHouseIdentifier.List(mappings.SelectMany(m => m.Parts).Select(p => p.Name)
            .Concat(schema.HasKey ? [ClickHouseSinkSql.VersionColumn, ClickHouseSinkSql.DeletedColumn] : []));
    }

    public string Name { get; }

    public string QuotedName { get; }

    public TableSchema Schema { get; }

    public IReadOnlyList<ClickHouseColumnMapping> Mappings { get; }

    public IReadOnlyList<ClickHouseColumnPart> KeyParts { get; }

    /// <summary>Quoted column list of the insert, in the order rows are written.</summary>
    public string InsertColumns { get; }
}
