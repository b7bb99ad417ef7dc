namespace SentinelSync.Replication.Masking;

/// <summary>
/// One sink's transform of one table, applied to changes before that sink (or its dead-letter entries) sees them:
/// masked columns carry masked text and become <c>text</c> columns, excluded columns are gone from the schema and
/// the values, renamed columns carry their new name (and keep their source attribute number, so schema evolution
/// still tells renames from drops). Unmasked, unnamed columns, those added later included, pass unchanged.
/// NULL stays NULL and an unchanged-TOAST marker stays a marker (the destination keeps its masked value).
/// </summary>
public sealed class TableTransform
{
    /// <summary>The type a masked column gets at the destination: no other type can hold every masked value.</summary>
    public const string MaskedTypeName = "text";

    private const uint TextTypeOid = 25;

    private readonly TableName _table;
    private readonly IReadOnlyDictionary<string, MaskFunction> _masks;
    private readonly HashSet<string> _excluded;
    private readonly IReadOnlyDictionary<string, string> _renames;
    private readonly Masker _masker;

    // The plan of the last shape seen: changes of one batch share their schema, and shapes change rarely.
    private Plan? _last;

    public TableTransform(TableTransformConfig config, Masker masker)
    {
        ArgumentNullException.ThrowIfNull(config);
        _table = config.TableName ?? throw new ArgumentException($"'{config.Table}' is not schema.table", nameof(config));
        _masks = config.Masks();
        _excluded = new HashSet<string>(config.Exclude, StringComparer.Ordinal);
        _renames = new Dictionary<string, string>(config.Rename, StringComparer.Ordinal);
        _masker = masker;
    }

    public ChangeBatch Apply(ChangeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var changes = new RowChange[batch.Changes.Count];
        for (var i = 0; i < changes.Length; i++)
        {
            changes[i] = Apply(batch.Changes[i]);
        }

        return batch with { Changes = changes };
    }

    /// <summary>The change as this sink may see it; throws <see cref="TransformRefusedException"/> when the shape forbids the transform.</summary>
    public RowChange Apply(RowChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var plan = PlanFor(change.Schema);
        return change with
        {
            Schema = plan.Schema,
            Values = Project(plan, change.Values),
            OldKey = change.OldKey is null ? null : Project(plan, change.OldKey),
        };
    }

    private ColumnValue[] Project(Plan plan, ColumnValue[] values)
    {
        if (values.Length == 0)
        {
            return values;
        }

        var projected = new ColumnValue[plan.Sources.Length];
        for (var i = 0; i < projected.Length; i++)
        {
            var value = plan.Sources[i] < values.Length ? values[plan.Sources[i]] : ColumnValue.Null;
            projected[i] = plan.Masks[i] is { } function && value.Kind == ColumnValueKind.Text
                ? ColumnValue.Of(_masker.Mask(function, value.Text!))
                : value;
        }

        return projected;
    }

    private Plan PlanFor(TableSchema schema)
    {
        var last = _last;
        if (last is not null && ReferenceEquals(last.Source, schema))
        {
            return last;
        }

        var plan = BuildPlan(schema);
        _last = plan;
        return plan;
    }

    private Plan BuildPlan(TableSchema schema)
    {
        var names = schema.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var missing = _masks.Keys.Concat(_excluded).Concat(_renames.Keys).Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new TransformRefusedException(
                $"the transform of {_table} names column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the table does not have " +
                $"(columns: {string.Join(", ", names)}); nothing of this table goes to this sink until the transform is fixed, " +
                "since a renamed or misspelt column would otherwise pass unmasked");
        }

        var keys = schema.Columns.Where(c => c.IsKey && (_masks.ContainsKey(c.Name) || _excluded.Contains(c.Name))).Select(c => c.Name).ToList();
        if (keys.Count > 0)
        {
            throw new TransformRefusedException(
                $"the transform of {_table} masks or excludes key column(s) {string.Join(", ", keys.Select(k => $"'{k}'"))}: that would change or lose " +
                "the rows' identity at the destination (updates and deletes could not find their rows); rename is allowed, mask or exclude is not");
        }

        var sources = new List<int>();
        var masks = new List<MaskFunction?>();
        var columns = new List<ColumnSchema>();
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var column = schema.Columns[i];
            if (_excluded.Contains(column.Name))
            {
                continue;
            }

            var masked = _masks.TryGetValue(column.Name, out var function) ? function : (MaskFunction?)null;
            var name = _renames.TryGetValue(column.Name, out var renamed) ? renamed : column.Name;
            sources.Add(i);
            masks.Add(masked);
            columns.Add(column with
            {
                Name = name,
                TypeName = masked is null ? column.TypeName : MaskedTypeName,
                TypeOid = masked is null ? column.TypeOid : TextTypeOid,
            });
        }

        var clash = columns.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new TransformRefusedException($"the transform of {_table} renames a column to '{clash.Key}', which the table already has; two columns cannot share one name");
        }

        return new Plan(schema, schema with { Columns = columns }, [.. sources], [.. masks]);
    }

    private sealed record Plan(TableSchema Source, TableSchema Schema, int[] Sources, MaskFunction?[] Masks);
}
