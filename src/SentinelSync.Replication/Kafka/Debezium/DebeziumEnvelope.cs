namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// The names of Debezium's change-event envelope, as the Kafka sink writes them and a Kafka source reads them:
/// <c>{"before":…,"after":…,"source":{…},"op":"c","ts_ms":…}</c>, optionally wrapped as
/// <c>{"schema":{…},"payload":{…}}</c> (Kafka Connect JsonConverter with schemas enabled).
/// </summary>
public static class DebeziumEnvelope
{
    /// <summary>
    /// Debezium's default <c>unavailable.value.placeholder</c>: stands for a TOASTed value an update did not change
    /// and the source therefore did not send. It means "keep the value you have"; it is never data.
    /// </summary>
    public const string UnavailableValuePlaceholder = "__debezium_unavailable_value";

    /// <summary>The connector named in <c>source.connector</c>.</summary>
    public const string Connector = "postgresql";

    /// <summary>Written as <c>source.version</c>: SentinelSync's, not a Debezium release.</summary>
    public static readonly string Version = "sentinelsync-" + (typeof(DebeziumEnvelope).Assembly.GetName().Version?.ToString(3) ?? "0");

    /// <summary>Kafka header carrying the change's SentinelSync position, <c>&lt;commit LSN&gt;#&lt;ordinal&gt;</c> (e.g. <c>0/16B3748#3</c>): unique and growing per source table.</summary>
    public const string PositionHeader = "sentinel.position";

    public const string Before = "before";
    public const string After = "after";
    public const string Source = "source";
    public const string Op = "op";
    public const string TsMs = "ts_ms";
    public const string Schema = "schema";
    public const string Payload = "payload";

    /// <summary>How a message with a schema block begins: <c>{"schema":</c>, then the block.</summary>
    public static ReadOnlySpan<byte> SchemaOpening => "{\"schema\":"u8;

    /// <summary>What follows the schema block: <c>,"payload":</c>, then the payload and the closing <c>}</c>.</summary>
    public static ReadOnlySpan<byte> PayloadOpening => ",\"payload\":"u8;

    /// <summary>Debezium's <c>op</c> codes.</summary>
    public static class Ops
    {
        public const string Create = "c";
        public const string Update = "u";
        public const string Delete = "d";
        public const string Read = "r";
        public const string Truncate = "t";
    }
}
