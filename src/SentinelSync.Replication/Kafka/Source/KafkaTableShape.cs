namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// The schema of a table fed from Kafka: the union of every column messages have shown, in the order first
/// seen. Columns are only ever added or retyped, never dropped (a column that messages stop carrying keeps its
/// values at the destination, as a dropped column does for the Postgres source). Each column's attribute number is
/// its place in that order, fixed forever, so sinks tell added and retyped columns apart exactly; the version grows
/// with every change of the union.
/// </summary>
public static class KafkaTableShape
{
    /// <summary>
    /// The union of <paramref name="current"/> (null: none yet) and <paramref name="observed"/>, or
    /// <paramref name="current"/> itself when the observed columns add nothing. A column's key flag is taken when it
    /// is first seen; a changed type (a schema change carried in the envelope) retypes it.
    /// </summary>
    public static TableSchema Merge(TableName table, TableSchema? current, IEnumerable<ObservedColumn> observed)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(observed);
        var columns = current?.Columns.ToList() ?? [];
        var changed = false;
        foreach (var column in observed)
        {
            var index = columns.FindIndex(c => c.Name == column.Name);
            if (index < 0)
            {
                columns.Add(new ColumnSchema(column.Name, column.TypeName, column.TypeOid, column.IsKey, columns.Count + 1));
                changed = true;
            }
            else if (columns[index].TypeName != column.TypeName && !Holds(columns[index].TypeName, column.TypeName))
            {
                columns[index] = columns[index] with { TypeName = column.TypeName, TypeOid = column.TypeOid };
                changed = true;
            }
        }

        return changed || current is null ? new TableSchema(table, (current?.Version ?? 0) + 1, columns) : current;
    }

    /// <summary>Whether <paramref name="schema"/> already holds every observed column with its type.</summary>
    public static bool Covers(TableSchema? schema, IEnumerable<ObservedColumn> observed) =>
        schema is not null && observed.All(o => schema.Columns.Any(c => c.Name == o.Name && (c.TypeName == o.TypeName || Holds(c.TypeName, o.TypeName))));

    /// <summary>
    /// A numeric column keeps every bigint value exactly: it is never narrowed to bigint. Schemaless JSON tells
    /// 12.50 (numeric) from 7 (bigint) message by message; narrowing would make the table's type depend on which
    /// message a sink happened to see first, and refuse 12.50 when it saw the later one.
    /// </summary>
    private static bool Holds(string current, string observed) =>
        current == PostgresTypes.Numeric.Name && observed == PostgresTypes.Bigint.Name;
}
