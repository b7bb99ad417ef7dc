namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>How a Postgres text value becomes a Kafka Connect value in a Debezium event (see <see cref="DebeziumTypeMapping"/>).</summary>
public enum DebeziumValueKind
{
    /// <summary>The Postgres text as a JSON string (text types, uuid, json, enums, and every type without a closer mapping).</summary>
    String,
    Boolean,
    /// <summary>int16/int32/int64: the text is already a JSON number.</summary>
    Integer,
    /// <summary>float/double: a JSON number, or the string "NaN"/"Infinity"/"-Infinity".</summary>
    Float,
    /// <summary>bytea (<c>\x…</c> hex text) as base64 bytes.</summary>
    Bytes,
    /// <summary>numeric(p,s), decimalHandling precise: Connect Decimal, the unscaled value as big-endian two's-complement bytes (base64).</summary>
    FixedDecimal,
    /// <summary>numeric without scale, decimalHandling precise: io.debezium.data.VariableScaleDecimal {scale, value}.</summary>
    VariableDecimal,
    /// <summary>numeric, decimalHandling double.</summary>
    DecimalAsDouble,
    /// <summary>date: io.debezium.time.Date, days since 1970-01-01.</summary>
    Date,
    /// <summary>time(p≤3): io.debezium.time.Time, milliseconds since midnight.</summary>
    TimeMillis,
    /// <summary>time: io.debezium.time.MicroTime, microseconds since midnight.</summary>
    TimeMicros,
    /// <summary>timetz: io.debezium.time.ZonedTime, ISO-8601 string in UTC.</summary>
    ZonedTime,
    /// <summary>timestamp(p≤3): io.debezium.time.Timestamp, milliseconds since the epoch.</summary>
    TimestampMillis,
    /// <summary>timestamp: io.debezium.time.MicroTimestamp, microseconds since the epoch.</summary>
    TimestampMicros,
    /// <summary>timestamptz: io.debezium.time.ZonedTimestamp, ISO-8601 string in UTC.</summary>
    ZonedTimestamp,
}
