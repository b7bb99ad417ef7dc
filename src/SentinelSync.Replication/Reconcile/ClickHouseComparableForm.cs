using System.Globalization;
using SentinelSync.Replication.ClickHouse;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// The text both Postgres and a ClickHouse sink compute alike for a column, following the sink's type mapping
/// (<see cref="ClickHouseTypeMapping"/>): integers, strings, UUIDs and decimals as their text (ClickHouse prints a
/// Decimal with its scale, as Postgres prints numeric(p,s); NaN/±Infinity from the <c>__text</c> fallback),
/// booleans as 1/0, bytea as lower-case hex, dates as days and timestamps as microseconds since 2000-01-01 (the
/// exact <c>__days</c>/<c>__us</c> parts). NULL is told from every value. Floats and arrays are not compared
/// (their text forms differ between the two servers); <see cref="Compared"/> lists what is. Chunks are buckets
/// of the key's md5: ClickHouse orders strings by bytes, Postgres by collation, so key ranges would not match.
/// </summary>
internal sealed class ClickHouseComparableForm : ComparableForm
{
    private const string Separator = "chr(31)";

    private readonly Dictionary<string, (string Postgres, string ClickHouse, ClickHouseConversion Conversion)> _columns;

    public ClickHouseComparableForm(IReadOnlyList<ColumnSchema> columns)
    {
        _columns = [];
        foreach (var column in columns)
        {
            var mapping = ClickHouseTypeMapping.Map(column);
            var main = mapping.Parts[0];
            var name = "t." + PostgresIdentifier.Quote(column.Name);
            var ch = ClickHouseIdentifier.Quote(column.Name);
            (string, string)? texts = main.Conversion switch
            {
                ClickHouseConversion.Text or ClickHouseConversion.Number or ClickHouseConversion.Uuid => ($"{name}::text", $"toString({ch})"),
                ClickHouseConversion.Decimal when mapping.Parts.Any(p => p.IsFallback) =>
                    ($"{name}::text", $"ifNull(toString({ch}), {ClickHouseIdentifier.Quote(column.Name + ClickHouseTypeMapping.TextSuffix)})"),
                ClickHouseConversion.Decimal => ($"{name}::text", $"toString({ch})"),
                ClickHouseConversion.Boolean => ($"CASE WHEN {name} THEN '1' WHEN NOT {name} THEN '0' END", $"toString({ch})"),
                ClickHouseConversion.Bytea => ($"encode({name}, 'hex')", $"toString({ch})"),
                ClickHouseConversion.DateInRange => (
                    $"CASE WHEN {name} = 'infinity' THEN '{int.MaxValue}' WHEN {name} = '-infinity' THEN '{int.MinValue}' ELSE ({name} - DATE '2000-01-01')::text END",
                    $"toString({ClickHouseIdentifier.Quote(column.Name + ClickHouseTypeMapping.DaysSuffix)})"),
                ClickHouseConversion.TimestampInRange => (
                    $"CASE WHEN {name} = 'infinity' THEN '{long.MaxValue}' WHEN {name} = '-infinity' THEN '{long.MinValue}' ELSE ((extract(epoch FROM {name}) - 946684800) * 1000000)::bigint::text END",
                    $"toString({ClickHouseIdentifier.Quote(column.Name + ClickHouseTypeMapping.MicrosSuffix)})"),
                _ => null,
            };
            if (texts is { } pair)
            {
                _columns[column.Name] = (pair.Item1, pair.Item2, main.Conversion);
            }
        }

        Compared = [.. columns.Where(c => _columns.ContainsKey(c.Name))];
        if (columns.FirstOrDefault(c => c.IsKey && !_columns.ContainsKey(c.Name)) is { } key)
        {
            throw new ReconcileException($"Key column {key.Name} ({key.TypeName}) is a float or an array, which cannot be compared with ClickHouse.");
        }
    }

    /// <summary>The columns whose values are compared (key columns always are).</summary>
    public IReadOnlyList<ColumnSchema> Compared { get; }

    // The session's own TimeZone and DateStyle, as the stream's walsender wrote the text of time-valued strings.
    public override string PostgresSettings => "";

    /// <summary>Whether a key column's comparable text is its Postgres text (so its keys can be repaired by value).</summary>
    public bool IsLiteral(ColumnSchema column) =>
        _columns[column.Name].Conversion is ClickHouseConversion.Text or ClickHouseConversion.Number or ClickHouseConversion.Uuid or ClickHouseConversion.Decimal;

    public override string PostgresKeyText(ColumnSchema column) => _columns[column.Name].Postgres;

    public override string PostgresKeyOperand(ColumnSchema column) =>
        IsLiteral(column) ? "t." + PostgresIdentifier.Quote(column.Name) : _columns[column.Name].Postgres;

    public override string PostgresKeyLiteral(ColumnSchema column, string text) =>
        IsLiteral(column) ? base.PostgresKeyLiteral(column, text) : PostgresChunkReader.Literal(ColumnValue.Of(text), "text");

    public override string PostgresRowText(IReadOnlyList<ColumnSchema> columns) =>
        "concat_ws(" + Separator + ", " + string.Join(", ", Compared.Select(c => $"coalesce('v' || {_columns[c.Name].Postgres}, 'n')")) + ")";

    public override string PostgresSum(string rowText) => $"coalesce(sum({PostgresHash32(rowText)}), 0)::text";

    public override string PostgresBucket(string keyTexts, int buckets) =>
        $"({PostgresHash32($"concat_ws({Separator}, {keyTexts})")} % {buckets.ToString(CultureInfo.InvariantCulture)})";

    public string ClickHouseKeyText(ColumnSchema column) => _columns[column.Name].ClickHouse;

    public string ClickHouseRowText() =>
        Compared.Count == 1
            ? Piece(Compared[0])
            : "concat(" + string.Join(", '\\x1F', ", Compared.Select(Piece)) + ")";

    public static string ClickHouseHash32(string text) => $"reinterpretAsUInt32(reverse(unhex(substring(hex(MD5({text})), 1, 8))))";

    public string ClickHouseBucket(IReadOnlyList<ColumnSchema> keys, int buckets)
    {
        var keyText = keys.Count == 1 ? ClickHouseKeyText(keys[0]) : "concat(" + string.Join(", '\\x1F', ", keys.Select(ClickHouseKeyText)) + ")";
        return $"({ClickHouseHash32(keyText)} % {buckets.ToString(CultureInfo.InvariantCulture)})";
    }

    // The first 32 bits of the md5, as a non-negative bigint: the same number ClickHouse's ClickHouseHash32 gives.
    private static string PostgresHash32(string text) => $"('x' || '00000000' || substr(md5({text}), 1, 8))::bit(64)::bigint";

    private string Piece(ColumnSchema column) => $"ifNull(concat('v', {_columns[column.Name].ClickHouse}), 'n')";
}
