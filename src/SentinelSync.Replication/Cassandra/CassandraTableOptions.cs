namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// How one source table's primary key splits into the Cassandra partition key and clustering columns (config
/// <c>sinks[n].cassandra.tables."schema.table"</c>). Together the two lists must name exactly the source primary key:
/// Cassandra's primary key must identify a row as the source's does, or two source rows would overwrite each other.
/// </summary>
public sealed class CassandraTableOptions
{
    /// <summary>Columns of the partition key, in order (required): rows sharing them live in one partition.</summary>
    public List<string> PartitionKey { get; set; } = [];

    /// <summary>Clustering columns, in order: they sort and identify the rows inside a partition.</summary>
    public List<string> ClusteringKey { get; set; } = [];

    /// <summary>The shape problems that need no source schema (each naming its key below <paramref name="section"/>).</summary>
    public IEnumerable<OptionProblem> Validate(string section)
    {
        if (PartitionKey.Count == 0)
        {
            yield return new OptionProblem($"{section}.partitionKey", "needs at least one column of the table's primary key");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in PartitionKey.Concat(ClusteringKey))
        {
            if (string.IsNullOrWhiteSpace(column))
            {
                yield return new OptionProblem(section, "names an empty column");
            }
            else if (!seen.Add(column))
            {
                yield return new OptionProblem(section, $"names column '{column}' twice (a column is in the partition key or a clustering column, once)");
            }
        }
    }
}
