namespace SentinelSync.Replication.Kafka.Source;

/// <summary>The built-in Postgres types Kafka values are written as: <c>format_type</c> spelling and OID.</summary>
internal static class PostgresTypes
{
    public static readonly ObservedType Boolean = new("boolean", 16);
    public static readonly ObservedType Bytea = new("bytea", 17);
    public static readonly ObservedType Bigint = new("bigint", 20);
    public static readonly ObservedType Smallint = new("smallint", 21);
    public static readonly ObservedType Integer = new("integer", 23);
    public static readonly ObservedType Text = new("text", 25);
    public static readonly ObservedType Real = new("real", 700);
    public static readonly ObservedType Double = new("double precision", 701);
    public static readonly ObservedType Date = new("date", 1082);
    public static readonly ObservedType Time = new("time without time zone", 1083);
    public static readonly ObservedType Timestamp = new("timestamp without time zone", 1114);
    public static readonly ObservedType TimestampTz = new("timestamp with time zone", 1184);
    public static readonly ObservedType Interval = new("interval", 1186);
    public static readonly ObservedType TimeTz = new("time with time zone", 1266);
    public static readonly ObservedType Numeric = new("numeric", 1700);
    public static readonly ObservedType Uuid = new("uuid", 2950);
    public static readonly ObservedType Jsonb = new("jsonb", 3802);

    /// <summary>The array type of an element type, when Postgres has a built-in one we use.</summary>
    public static ObservedType? ArrayOf(ObservedType element) => element.Oid switch
    {
        16 => new("boolean[]", 1000),
        17 => new("bytea[]", 1001),
        20 => new("bigint[]", 1016),
        21 => new("smallint[]", 1005),
        23 => new("integer[]", 1007),
        25 => new("text[]", 1009),
        700 => new("real[]", 1021),
        701 => new("double precision[]", 1022),
        1082 => new("date[]", 1182),
        1114 => new("timestamp without time zone[]", 1115),
        1184 => new("timestamp with time zone[]", 1185),
        1700 => new("numeric[]", 1231),
        2950 => new("uuid[]", 2951),
        _ => null,
    };
}

/// <summary>A Postgres type: <c>format_type</c> spelling and OID.</summary>
internal sealed record ObservedType(string Name, uint Oid);
