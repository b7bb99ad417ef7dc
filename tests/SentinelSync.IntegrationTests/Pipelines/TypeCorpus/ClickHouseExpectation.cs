namespace SentinelSync.IntegrationTests.Pipelines.TypeCorpus;

/// <summary>
/// What ClickHouse must hold for a corpus column under README's Postgres → ClickHouse mapping, written as SQL the
/// source evaluates on its own row: for each ClickHouse column the column is split into (the column itself, and
/// its <c>__days</c>, <c>__us</c> or <c>__text</c> companion), the text ClickHouse shows for it, or NULL. The
/// families are named per corpus type here, from the README's table, not derived from the sink's mapping code.
/// </summary>
internal static class ClickHouseExpectation
{
    private enum Family { Text, Decimal, Float, Boolean, Bytea, Date, Timestamp, TimestampTz, NumberArray, TextArray }

    private static readonly Dictionary<string, Family> s_families = new()
    {
        ["numeric_ps"] = Family.Decimal,
        ["float4"] = Family.Float,
        ["float8"] = Family.Float,
        ["bool"] = Family.Boolean,
        ["bytea"] = Family.Bytea,
        ["date"] = Family.Date,
        ["timestamp3"] = Family.Timestamp,
        ["timestamptz"] = Family.TimestampTz,
        ["int4_array"] = Family.NumberArray,
        ["text_array"] = Family.TextArray,
        ["mood_array"] = Family.TextArray,
        ["pair_array"] = Family.TextArray,
        ["even_array"] = Family.TextArray,
        ["status_array"] = Family.TextArray,
    };

    /// <summary>
    /// Names of the ClickHouse Array columns: TabSeparated prints them in their own quoted text form
    /// (<c>['it\'s']</c>), which is not escaped once more as a String field is.
    /// </summary>
    public static bool IsArray(TypeCase type, string column) =>
        column == "v" && s_families.GetValueOrDefault(type.Name) is Family.NumberArray or Family.TextArray;

    /// <summary>The ClickHouse columns of <paramref name="column"/> (k or v) with the source expression of each.</summary>
    public static IReadOnlyList<(string Column, string SourceSql)> Columns(TypeCase type, string column)
    {
        var isKey = column == "k";
        if (isKey && !type.Keyable)
        {
            return [(column, Text(column))];
        }

        var family = s_families.GetValueOrDefault(type.Name, Family.Text);
        var c = column;
        return (family, isKey) switch
        {
            (Family.Decimal, false) => [(c, Text(c)), (c + "__text", "NULL::text")],
            (Family.Float, _) => [(c, $"replace(CASE WHEN {c} = 'NaN' THEN 'nan' WHEN {c} = 'Infinity' THEN 'inf' WHEN {c} = '-Infinity' THEN '-inf' ELSE {Text(c)} END, 'e+', 'e')")],
            (Family.Boolean, _) => [(c, $"CASE WHEN {c} THEN '1' WHEN NOT {c} THEN '0' END")],
            (Family.Bytea, _) => [(c, $"encode({c}, 'hex')")],
            (Family.Date, _) =>
            [
                (c, $"CASE WHEN {c} BETWEEN '1970-01-01' AND '2105-12-31' THEN {Text(c)} END"),
                (c + "__days", $"CASE WHEN {c} = 'infinity' THEN '2147483647' WHEN {c} = '-infinity' THEN '-2147483648' ELSE ({c} - date '2000-01-01')::text END"),
            ],
            (Family.Timestamp, _) => Timestamp(c, c),
            (Family.TimestampTz, _) => Timestamp(c, $"({c} AT TIME ZONE 'UTC')"),
            (Family.NumberArray or Family.TextArray, false) => Array(c, family == Family.TextArray),
            _ => [(c, Text(c))],
        };
    }

    /// <summary>
    /// The type's output text, or NULL: a cast to text would drop char(n)'s padding and add inet's /32, and
    /// format alone turns NULL into ''. num_nonnulls, not IS NOT NULL, which is false for the composite (,).
    /// </summary>
    private static string Text(string c) => $"CASE WHEN num_nonnulls({c}) = 1 THEN format('%s', {c}) END";

    /// <summary>DateTime('UTC') in whole seconds within 1970 … 2105, and microseconds since 2000-01-01 UTC.</summary>
    private static (string, string)[] Timestamp(string c, string utcWallClock) =>
    [
        (c, $"CASE WHEN {utcWallClock} >= '1970-01-01' AND {utcWallClock} < '2106-01-01' THEN to_char({utcWallClock}, 'YYYY-MM-DD HH24:MI:SS') END"),
        (c + "__us", $"CASE WHEN {c} = 'infinity' THEN '9223372036854775807' WHEN {c} = '-infinity' THEN '-9223372036854775808' " +
            $"ELSE ((extract(epoch FROM {utcWallClock}) - 946684800) * 1000000)::bigint::text END"),
    ];

    /// <summary>
    /// One-dimensional arrays from 1 are ClickHouse arrays (<c>[1,NULL]</c>, <c>['a\'b']</c>) with a NULL
    /// <c>__text</c>; others are <c>[]</c> with the Postgres text in <c>__text</c>; a NULL array is <c>[]</c>.
    /// </summary>
    private static (string, string)[] Array(string c, bool quoted)
    {
        var text = Text($"{c}[i]");
        var element = quoted ? $@"'''' || replace(replace({text}, '\', '\\'), '''', '\''') || ''''" : text;
        var plain = $"coalesce(array_ndims({c}), 1) = 1 AND coalesce(array_lower({c}, 1), 1) = 1";
        return
        [
            (c, $"CASE WHEN {c} IS NULL OR NOT ({plain}) THEN '[]' " +
                $"ELSE '[' || array_to_string(ARRAY(SELECT coalesce({element}, 'NULL') FROM generate_subscripts({c}, 1) i ORDER BY i), ',') || ']' END"),
            (c + "__text", $"CASE WHEN NOT ({plain}) THEN {Text(c)} END"),
        ];
    }
}
