namespace SentinelSync.Replication.ClickHouse;

/// <summary>How a value in Postgres' text format becomes ClickHouse text for one column part.</summary>
public enum ClickHouseConversion : byte
{
    /// <summary>The exact text, as a String.</summary>
    Text,

    /// <summary>An integer, passed through (Postgres and ClickHouse spell them alike).</summary>
    Number,

    /// <summary>A UUID, passed through (quoted inside arrays).</summary>
    Uuid,

    /// <summary>A constrained numeric: passed through; NaN cannot be held by Decimal and is refused.</summary>
    Decimal,

    /// <summary>float4/float8: <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> become <c>nan</c>, <c>inf</c>, <c>-inf</c>.</summary>
    Float,

    /// <summary><c>t</c>/<c>f</c> → <c>1</c>/<c>0</c>.</summary>
    Boolean,

    /// <summary>bytea → lowercase hex digits without the <c>\x</c> prefix (<c>unhex()</c> gives the bytes back).</summary>
    Bytea,

    /// <summary>date → <c>Date</c>, NULL outside 1970-01-01 … 2105-12-31 (the exact value is in the days part).</summary>
    DateInRange,

    /// <summary>date → days since 2000-01-01, Postgres' epoch (Int32); <c>-infinity</c>/<c>infinity</c> are Int32's minimum/maximum.</summary>
    DateDays,

    /// <summary>timestamp[tz] → <c>DateTime('UTC')</c> in whole seconds, NULL outside 1970 … 2105 (the exact value is in the microseconds part).</summary>
    TimestampInRange,

    /// <summary>timestamp[tz] → microseconds since 2000-01-01 00:00 UTC, Postgres' epoch (Int64); <c>-infinity</c>/<c>infinity</c> are Int64's minimum/maximum.</summary>
    TimestampMicros,

    /// <summary>A one-dimensional array → <c>[e1,NULL,…]</c>, each element by the part's element conversion.</summary>
    Array,
}
