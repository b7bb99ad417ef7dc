using System.Globalization;
using System.Text.RegularExpressions;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Maps a Postgres column type (its <c>format_type</c> spelling) to ClickHouse 18.16 column parts. Lossless
/// wherever 18.16 can hold the value; where it cannot, <see cref="ClickHouseColumnMapping.Limitation"/> says
/// what is lost or refused. Types it does not know (enums, domains, extension types) are kept as their exact
/// text in a String. Non-key parts are Nullable; key parts are not (18.16 refuses Nullable in ORDER BY).
/// The README's type table documents the same decisions.
/// </summary>
public static partial class ClickHouseTypeMapping
{
    /// <summary>Suffix of the exact part of a date column: days since 2000-01-01 (Postgres' epoch).</summary>
    public const string DaysSuffix = "__days";

    /// <summary>Suffix of the exact part of a timestamp column: microseconds since 2000-01-01 00:00 UTC (Postgres' epoch).</summary>
    public const string MicrosSuffix = "__us";

    /// <summary>Suffix of the fallback part of a column whose type cannot hold every value: the Postgres text of those it cannot.</summary>
    public const string TextSuffix = "__text";

    /// <summary>The ClickHouse parts of <paramref name="column"/>, mapped as <paramref name="typeName"/> (its own type unless overridden).</summary>
    public static ClickHouseColumnMapping Map(ColumnSchema column, string? typeName = null)
    {
        ArgumentNullException.ThrowIfNull(column);
        var type = (typeName ?? column.TypeName).Trim();
        var name = column.Name;
        var key = column.IsKey;
        if (type.EndsWith("[]", StringComparison.Ordinal))
        {
            return MapArray(column, type);
        }

        var lower = type.ToLowerInvariant();
        var bare = Bare(lower);
        if (bare == "date")
        {
            return new ClickHouseColumnMapping(column, type, [
                new(name, "Nullable(Date)", ClickHouseConversion.DateInRange),
                new(name + DaysSuffix, Nullable("Int32", key), ClickHouseConversion.DateDays, IsKey: key),
            ], $"Date holds 1970-01-01 … 2105-12-31 only: other dates and ±infinity are NULL there; `{name}{DaysSuffix}` holds every date exactly as days since 2000-01-01 (±infinity as Int32 min/max)");
        }

        if (bare is "timestamp without time zone" or "timestamp with time zone" or "timestamp" or "timestamptz")
        {
            var zoned = lower.Contains("with time zone", StringComparison.Ordinal) || bare == "timestamptz";
            return new ClickHouseColumnMapping(column, type, [
                new(name, "Nullable(DateTime('UTC'))", ClickHouseConversion.TimestampInRange),
                new(name + MicrosSuffix, Nullable("Int64", key), ClickHouseConversion.TimestampMicros, IsKey: key),
            ], $"DateTime holds whole seconds of 1970 … 2105 only (18.16 has no DateTime64): fractions are cut and other instants and ±infinity are NULL there; `{name}{MicrosSuffix}` holds the exact {(zoned ? "instant (UTC)" : "wall-clock time read as UTC")} in microseconds since 2000-01-01 (±infinity as Int64 min/max){(zoned ? "; the source's display offset is not kept" : "")}");
        }

        var (scalarType, conversion, limitation) = Scalar(lower, bare);
        if (conversion == ClickHouseConversion.Decimal && !key)
        {
            return new ClickHouseColumnMapping(column, type, [new(name, Nullable(scalarType, key), conversion), Fallback(name)],
                $"Decimal cannot hold NaN or ±Infinity: such a value is NULL there and kept as its Postgres text in `{name}{TextSuffix}`");
        }

        return new ClickHouseColumnMapping(column, type, [new(name, Nullable(scalarType, key), conversion, IsKey: key)], limitation);
    }

    private static ClickHouseColumnMapping MapArray(ColumnSchema column, string type)
    {
        var lower = type[..^2].Trim().ToLowerInvariant();
        var bare = Bare(lower);
        var (element, conversion, _) = bare is "date" or "timestamp without time zone" or "timestamp with time zone"
            ? ("String", ClickHouseConversion.Text, null)
            : Scalar(lower, bare);
        // Box arrays use ';' between elements; keys cannot be arrays in a sensible ORDER BY: both stay text.
        if (column.IsKey || bare == "box")
        {
            return new ClickHouseColumnMapping(column, type, [new(column.Name, Nullable("String", column.IsKey), ClickHouseConversion.Text, IsKey: column.IsKey)], null);
        }

        return new ClickHouseColumnMapping(
            column,
            type,
            [new(column.Name, $"Array(Nullable({element}))", ClickHouseConversion.Array, conversion), Fallback(column.Name)],
            $"Array cannot be Nullable in 18.16: a NULL array is stored as []; a multidimensional array or one with explicit bounds is [] there and kept as its Postgres text in `{column.Name}{TextSuffix}`");
    }

    private static ClickHouseColumnPart Fallback(string name) => new(name + TextSuffix, "Nullable(String)", ClickHouseConversion.Text, IsFallback: true);

    private static (string Type, ClickHouseConversion Conversion, string? Limitation) Scalar(string lower, string bare) => bare switch
    {
        "smallint" or "int2" => ("Int16", ClickHouseConversion.Number, null),
        "integer" or "int" or "int4" => ("Int32", ClickHouseConversion.Number, null),
        "bigint" or "int8" => ("Int64", ClickHouseConversion.Number, null),
        "oid" => ("UInt32", ClickHouseConversion.Number, null),
        "real" or "float4" => ("Float32", ClickHouseConversion.Float, null),
        "double precision" or "float8" => ("Float64", ClickHouseConversion.Float, null),
        "boolean" or "bool" => ("UInt8", ClickHouseConversion.Boolean, null),
        "uuid" => ("UUID", ClickHouseConversion.Uuid, null),
        "bytea" => ("String", ClickHouseConversion.Bytea, null),
        "numeric" or "decimal" => Numeric(lower),
        "money" => ("String", ClickHouseConversion.Text, "kept as the text the source formats (lc_monetary, e.g. $1,234.56), not as a number"),
        _ => ("String", ClickHouseConversion.Text, null),
    };

    private static (string, ClickHouseConversion, string?) Numeric(string lower)
    {
        var match = NumericModifiers().Match(lower);
        if (!match.Success)
        {
            return ("String", ClickHouseConversion.Text, null);
        }

        var precision = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var scale = match.Groups[2].Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        return precision <= 38 && scale >= 0 && scale <= precision
            ? ($"Decimal({precision.ToString(CultureInfo.InvariantCulture)}, {scale.ToString(CultureInfo.InvariantCulture)})", ClickHouseConversion.Decimal, "Decimal cannot hold NaN or ±Infinity: in a key column such a value is refused (permanent error); override the type to numeric to keep it as text")
            : ("String", ClickHouseConversion.Text, null);
    }

    private static string Nullable(string type, bool key) => key ? type : $"Nullable({type})";

    /// <summary>The type name without modifiers: <c>numeric(10,2)</c> → <c>numeric</c>, <c>timestamp(3) with time zone</c> → <c>timestamp with time zone</c>.</summary>
    private static string Bare(string lower) => Modifiers().Replace(lower, "").Trim();

    [GeneratedRegex(@"\s*\([^)]*\)")]
    private static partial Regex Modifiers();

    [GeneratedRegex(@"^(?:numeric|decimal)\s*\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\)$")]
    private static partial Regex NumericModifiers();
}
