namespace SentinelSync.Replication.Masking;

/// <summary>
/// What one sink gets of one source table (config <c>sinks[n].transforms[m]</c>): columns masked, columns left
/// out, columns under another name. Column names are the source's, as written at the source (case-sensitive).
/// </summary>
public sealed class TableTransformConfig
{
    /// <summary>The source table, <c>schema.table</c>.</summary>
    public string Table { get; set; } = "";

    /// <summary>Column → function (<c>hmac</c>, <c>sha256</c>, <c>redact</c>, <c>tokenize</c>).</summary>
    public Dictionary<string, string> Mask { get; set; } = [];

    /// <summary>Columns this sink never receives.</summary>
    public List<string> Exclude { get; set; } = [];

    /// <summary>Source column → destination column name.</summary>
    public Dictionary<string, string> Rename { get; set; } = [];

    /// <summary>The source table as a name; null when <see cref="Table"/> is not <c>schema.table</c>.</summary>
    public TableName? TableName =>
        Table.Split('.') is [{ Length: > 0 } schema, { Length: > 0 } name] ? new TableName(schema, name) : null;

    /// <summary>Parses a function name as written in the configuration (lowercase).</summary>
    public static MaskFunction? Parse(string? function) => function switch
    {
        "hmac" => MaskFunction.Hmac,
        "sha256" => MaskFunction.Sha256,
        "redact" => MaskFunction.Redact,
        "tokenize" => MaskFunction.Tokenize,
        _ => null,
    };

    /// <summary>The masks as functions (call after <see cref="Validate"/> reported nothing).</summary>
    public IReadOnlyDictionary<string, MaskFunction> Masks() =>
        Mask.ToDictionary(m => m.Key, m => Parse(m.Value)!.Value, StringComparer.Ordinal);

    /// <summary>One problem per mistake, each naming its key below <paramref name="section"/> (<c>pipelines[0].sinks[1].transforms[0]</c>).</summary>
    public IReadOnlyList<OptionProblem> Validate(string section)
    {
        var problems = new List<OptionProblem>();
        if (TableName is null)
        {
            problems.Add(new OptionProblem($"{section}.table", $"must name one source table as schema.table (e.g. public.customers), not '{Table}'"));
        }

        foreach (var (column, function) in Mask)
        {
            if (Parse(function) is null)
            {
                problems.Add(new OptionProblem($"{section}.mask.{column}", $"'{function}' is not a mask function; use hmac, sha256, redact or tokenize"));
            }

            if (Exclude.Contains(column, StringComparer.Ordinal))
            {
                problems.Add(new OptionProblem($"{section}.mask.{column}", $"'{column}' is also excluded; a column is either masked or left out"));
            }
        }

        for (var i = 0; i < Exclude.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Exclude[i]))
            {
                problems.Add(new OptionProblem($"{section}.exclude[{i}]", "must name a column"));
            }
            else if (Rename.ContainsKey(Exclude[i]))
            {
                problems.Add(new OptionProblem($"{section}.rename.{Exclude[i]}", $"'{Exclude[i]}' is excluded; an excluded column has no name at the destination"));
            }
        }

        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (column, target) in Rename)
        {
            if (string.IsNullOrWhiteSpace(target) || target.Length > 63)
            {
                problems.Add(new OptionProblem($"{section}.rename.{column}", "must give the destination column name (1 to 63 characters)"));
            }
            else if (!targets.TryAdd(target, column))
            {
                problems.Add(new OptionProblem($"{section}.rename.{column}", $"'{target}' is also the new name of '{targets[target]}'; two columns cannot share one name"));
            }
        }

        if (Mask.Count == 0 && Exclude.Count == 0 && Rename.Count == 0)
        {
            problems.Add(new OptionProblem(section, "needs at least one of mask, exclude or rename"));
        }

        return problems;
    }
}
