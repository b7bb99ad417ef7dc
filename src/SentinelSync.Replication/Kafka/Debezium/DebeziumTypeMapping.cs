using System.Globalization;
using System.Text.RegularExpressions;

namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// Postgres column types to Debezium's Postgres-connector types, with the connector's defaults
/// (<c>time.precision.mode=adaptive</c>, <c>binary.handling.mode=bytes</c>) and a chosen <c>decimal.handling.mode</c>.
/// Types without a mapping here (arrays, intervals, money, ranges, geometric, bit strings, domains, extension
/// types) travel as their exact Postgres text in a string field; see the README's Kafka sink type table.
/// </summary>
public static partial class DebeziumTypeMapping
{
    [GeneratedRegex(@"^numeric\((\d+),(\d+)\)$")]
    private static partial Regex NumericWithScale();

    [GeneratedRegex(@"^(?:time|timestamp)\((\d)\)")]
    private static partial Regex TimePrecision();

    [GeneratedRegex(@"\(\d+(?:,\d+)?\)")]
    private static partial Regex TypeModifier();

    /// <summary>Built-in type OIDs by <c>format_type</c> name without modifiers: for columns whose OID is not known (0).</summary>
    private static readonly Dictionary<string, uint> s_builtins = new(StringComparer.Ordinal)
    {
        ["boolean"] = 16, ["bytea"] = 17, ["bigint"] = 20, ["smallint"] = 21, ["integer"] = 23, ["real"] = 700,
        ["double precision"] = 701, ["numeric"] = 1700, ["date"] = 1082, ["time without time zone"] = 1083,
        ["time with time zone"] = 1266, ["timestamp without time zone"] = 1114, ["timestamp with time zone"] = 1184,
        ["uuid"] = 2950, ["json"] = 114, ["jsonb"] = 3802, ["xml"] = 142,
    };

    /// <summary>The Debezium type of <paramref name="column"/> under <paramref name="decimalHandling"/> (precise, string, double).</summary>
    public static DebeziumColumnType Of(ColumnSchema column, string decimalHandling = "precise")
    {
        ArgumentNullException.ThrowIfNull(column);
        var oid = column.TypeOid != 0 ? column.TypeOid : s_builtins.GetValueOrDefault(TypeModifier().Replace(column.TypeName, ""));
        return oid switch
        {
            16 => new("boolean", null, DebeziumValueKind.Boolean),
            17 => new("bytes", null, DebeziumValueKind.Bytes),
            20 => new("int64", null, DebeziumValueKind.Integer),
            21 => new("int16", null, DebeziumValueKind.Integer),
            23 => new("int32", null, DebeziumValueKind.Integer),
            700 => new("float", null, DebeziumValueKind.Float),
            701 => new("double", null, DebeziumValueKind.Float),
            1700 => Numeric(column.TypeName, decimalHandling),
            1082 => new("int32", "io.debezium.time.Date", DebeziumValueKind.Date),
            1083 => Precision(column.TypeName) <= 3
                ? new("int32", "io.debezium.time.Time", DebeziumValueKind.TimeMillis)
                : new("int64", "io.debezium.time.MicroTime", DebeziumValueKind.TimeMicros),
            1266 => new("string", "io.debezium.time.ZonedTime", DebeziumValueKind.ZonedTime),
            1114 => Precision(column.TypeName) <= 3
                ? new("int64", "io.debezium.time.Timestamp", DebeziumValueKind.TimestampMillis)
                : new("int64", "io.debezium.time.MicroTimestamp", DebeziumValueKind.TimestampMicros),
            1184 => new("string", "io.debezium.time.ZonedTimestamp", DebeziumValueKind.ZonedTimestamp),
            2950 => new("string", "io.debezium.data.Uuid", DebeziumValueKind.String),
            114 or 3802 => new("string", "io.debezium.data.Json", DebeziumValueKind.String),
            142 => new("string", "io.debezium.data.Xml", DebeziumValueKind.String),
            _ => new("string", null, DebeziumValueKind.String),
        };
    }

    /// <summary>Fractional-second digits of a time or timestamp type name; 6 (Postgres' default) when not given.</summary>
    private static int Precision(string typeName) =>
        TimePrecision().Match(typeName) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 6;

    private static DebeziumColumnType Numeric(string typeName, string decimalHandling)
    {
        switch (decimalHandling)
        {
            case "string":
                return new("string", null, DebeziumValueKind.String);
            case "double":
                return new("double", null, DebeziumValueKind.DecimalAsDouble);
        }

        if (NumericWithScale().Match(typeName) is { Success: true } m)
        {
            return new("bytes", "org.apache.kafka.connect.data.Decimal", DebeziumValueKind.FixedDecimal,
            [
                new("scale", m.Groups[2].Value),
                new("connect.decimal.precision", m.Groups[1].Value),
            ]);
        }

        return new("struct", "io.debezium.data.VariableScaleDecimal", DebeziumValueKind.VariableDecimal);
    }
}
