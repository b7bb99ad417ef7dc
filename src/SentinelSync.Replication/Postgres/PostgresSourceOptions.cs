using System.Text;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Settings of one Postgres CDC source: where to connect, which publication and logical slot to use, which
/// tables to capture and whether to copy existing rows first. Table entries are <c>schema.table</c> or
/// <c>schema.*</c> (every ordinary and partitioned table of the schema), spelled exactly as in the catalog
/// (case-sensitive, unquoted).
/// </summary>
public sealed class PostgresSourceOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    /// <summary>Where these options sit in a pipeline's configuration.</summary>
    public const string SectionName = "source.postgres";

    /// <summary>Value of <see cref="Snapshot"/>: copy existing rows under the slot's exported snapshot, then stream.</summary>
    public const string SnapshotInitial = "initial";

    /// <summary>Value of <see cref="Snapshot"/>: stream only, from the slot's consistent point.</summary>
    public const string SnapshotNever = "never";

    /// <summary>Npgsql connection string of the source database (a role with REPLICATION that owns the tables).</summary>
    public string Connection { get; set; } = "";

    /// <summary>Name of the publication; created when missing, extended with missing tables.</summary>
    public string Publication { get; set; } = "";

    /// <summary>Name of the logical replication slot (lower-case letters, digits, underscores); never dropped by SentinelSync.</summary>
    public string Slot { get; set; } = "";

    /// <summary>Tables to capture: <c>schema.table</c> or <c>schema.*</c>.</summary>
    public List<string> Tables { get; set; } = [];

    /// <summary><see cref="SnapshotInitial"/> (default) or <see cref="SnapshotNever"/>.</summary>
    public string Snapshot { get; set; } = SnapshotInitial;

    /// <summary>True when existing rows are copied before streaming.</summary>
    public bool CopiesSnapshot => string.Equals(Snapshot, SnapshotInitial, StringComparison.Ordinal);

    /// <summary>
    /// Checks the options and returns one problem per mistake, each naming its key below
    /// <paramref name="section"/> (<c>source.postgres.slot</c>); empty when the options are usable.
    /// </summary>
    public IReadOnlyList<OptionProblem> Validate(string section = SectionName)
    {
        var errors = new List<OptionProblem>();
        string Key(string property) => $"{section}.{char.ToLowerInvariant(property[0])}{property[1..]}";
        if (string.IsNullOrWhiteSpace(Connection))
        {
            errors.Add(new OptionProblem(Key(nameof(Connection)), $"required (an Npgsql connection string of the source database)."));
        }

        if (string.IsNullOrWhiteSpace(Publication))
        {
            errors.Add(new OptionProblem(Key(nameof(Publication)), $"required (the publication name)."));
        }
        else if (Encoding.UTF8.GetByteCount(Publication) > MaxIdentifierBytes)
        {
            errors.Add(new OptionProblem(Key(nameof(Publication)), $"'{Publication}' is longer than {MaxIdentifierBytes} bytes, Postgres' identifier limit."));
        }

        if (string.IsNullOrWhiteSpace(Slot))
        {
            errors.Add(new OptionProblem(Key(nameof(Slot)), $"required (the logical replication slot name)."));
        }
        else if (!IsValidSlotName(Slot))
        {
            errors.Add(new OptionProblem(Key(nameof(Slot)), $"'{Slot}' is not a valid slot name: use lower-case letters, digits and underscores, at most {MaxIdentifierBytes} characters."));
        }

        if (Tables.Count == 0)
        {
            errors.Add(new OptionProblem(Key(nameof(Tables)), $"list at least one table (schema.table) or pattern (schema.*)."));
        }

        for (var i = 0; i < Tables.Count; i++)
        {
            if (!TableSelector.TryParse(Tables[i], out _))
            {
                errors.Add(new OptionProblem($"{Key(nameof(Tables))}[{i}]", $"'{Tables[i]}' is neither schema.table nor schema.*."));
            }
        }

        if (!string.Equals(Snapshot, SnapshotInitial, StringComparison.Ordinal) && !string.Equals(Snapshot, SnapshotNever, StringComparison.Ordinal))
        {
            errors.Add(new OptionProblem(Key(nameof(Snapshot)), $"'{Snapshot}' is not one of '{SnapshotInitial}', '{SnapshotNever}'."));
        }

        return errors;
    }

    /// <summary>Throws an <see cref="InvalidOperationException"/> listing every problem <see cref="Validate"/> finds.</summary>
    public void ValidateOrThrow()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid Postgres source options:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => e.ToString())));
        }
    }

    /// <summary>The parsed <see cref="Tables"/> entries; call after <see cref="Validate"/> found no problem.</summary>
    public IReadOnlyList<TableSelector> ParseTables() => Tables.Select(TableSelector.Parse).ToList();

    private const int MaxIdentifierBytes = 63;

    // Postgres accepts only these characters in slot names (ReplicationSlotValidateName).
    private static bool IsValidSlotName(string name) =>
        name.Length <= MaxIdentifierBytes && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}
