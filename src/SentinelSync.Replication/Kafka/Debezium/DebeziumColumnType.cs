namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// A column's Kafka Connect schema in a Debezium event: the Connect <paramref name="Type"/> (<c>int32</c>, <c>string</c>,
/// <c>bytes</c>, <c>struct</c>, …), the logical <paramref name="Name"/> (<c>io.debezium.time.MicroTimestamp</c>, …) and its
/// <paramref name="Parameters"/>, and how values are converted (<paramref name="Kind"/>).
/// </summary>
public sealed record DebeziumColumnType(string Type, string? Name, DebeziumValueKind Kind, IReadOnlyList<KeyValuePair<string, string>>? Parameters = null)
{
    /// <summary>
    /// Whether Debezium's unavailable-value placeholder can stand in this column: string and bytes columns, but not a
    /// Connect Decimal, whose bytes a consumer would read as a number rather than as the placeholder.
    /// </summary>
    public bool TakesPlaceholder => Type is "string" or "bytes" && Kind != DebeziumValueKind.FixedDecimal;
}
