using Npgsql;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Options of a Postgres destination (config section <c>sinks[n].postgres</c>). The offsets and the schema history
/// the sink keeps live in the destination database itself, in schema <c>_sentinel</c>, so that data and
/// offsets commit in one transaction.
/// </summary>
public sealed class PostgresSinkOptions
{
    public const string SectionName = "postgres";

    /// <summary>Connection string of the destination database (required).</summary>
    public string Connection { get; set; } = "";

    /// <summary>
    /// Schema the target tables live in. Empty (the default) keeps the source table's schema name, so
    /// <c>public.orders</c> replicates to <c>public.orders</c>.
    /// </summary>
    public string Schema { get; set; } = "";

    /// <summary>What happens to a destination column when its source column is dropped.</summary>
    public DroppedColumnPolicy DroppedColumns { get; set; } = DroppedColumnPolicy.KeepNullable;

    /// <summary>
    /// Maps a source column's type (Postgres' <c>format_type</c> spelling) to the type created at the
    /// destination. Unset: the source spelling is used as is, and a type the destination lacks (a user enum,
    /// composite, domain or range, an extension type) is created there from the source's definition; one that
    /// cannot be created blocks its table (<see cref="Sinks.TableBlockedException"/> around a
    /// <see cref="MissingDestinationTypeException"/>). A mapped type (say an enum to <c>text</c>) is never created.
    /// </summary>
    public Func<TableName, ColumnSchema, string>? TypeNameMapping { get; set; }

    /// <summary>One problem per mistake, each naming its key below <paramref name="section"/>; empty when usable.</summary>
    public IReadOnlyList<OptionProblem> Validate(string section = SectionName)
    {
        var problems = new List<OptionProblem>();
        if (string.IsNullOrWhiteSpace(Connection))
        {
            problems.Add(new OptionProblem($"{section}.connection", "required: the destination's connection string"));
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(Connection);
            }
            catch (ArgumentException ex)
            {
                problems.Add(new OptionProblem($"{section}.connection", $"not a valid Npgsql connection string: {ex.Message}"));
            }
        }

        if (Schema.Length > 63 || Schema.Contains('\0', StringComparison.Ordinal))
        {
            problems.Add(new OptionProblem($"{section}.schema", $"'{Schema}' is not a valid Postgres identifier (at most 63 bytes, no NUL)"));
        }

        if (!Enum.IsDefined(DroppedColumns))
        {
            problems.Add(new OptionProblem($"{section}.droppedColumns", $"must be one of {string.Join(", ", Enum.GetNames<DroppedColumnPolicy>())}"));
        }

        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming every offending key.</summary>
    public void ValidateOrThrow()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems.Select(p => p.ToString())));
        }
    }

    internal TableName TargetOf(TableName source) =>
        Schema.Length == 0 ? source : new TableName(Schema, source.Name);

    internal string TypeOf(TableName source, ColumnSchema column) =>
        TypeNameMapping?.Invoke(source, column) ?? column.TypeName;
}
