using Confluent.Kafka;
using SentinelSync.Replication.Kafka.Avro;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// Options of a Kafka destination (config section <c>sinks[n].kafka</c>): one topic per source table,
/// <c>&lt;topicPrefix&gt;.&lt;schema&gt;.&lt;table&gt;</c>, Debezium-compatible change events keyed by the primary key.
/// </summary>
public sealed class KafkaSinkOptions
{
    public const string SectionName = "kafka";

    public const string DebeziumJson = "debezium-json";
    public const string DebeziumAvro = "debezium-avro";

    private static readonly string[] s_formats = [DebeziumJson, DebeziumAvro];
    private static readonly string[] s_acks = ["all", "leader", "none"];
    private static readonly string[] s_compressions = ["none", "gzip", "snappy", "lz4", "zstd"];
    private static readonly string[] s_decimalModes = ["precise", "string", "double"];

    /// <summary>The brokers, <c>host:port,host:port</c> (required).</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>The first part of every topic name, and the envelope's <c>source.name</c> (Debezium's <c>topic.prefix</c>; required).</summary>
    public string TopicPrefix { get; set; } = "";

    /// <summary>
    /// <c>debezium-json</c> (the value of Kafka Connect's JsonConverter) or <c>debezium-avro</c> (Confluent's AvroConverter:
    /// Avro in the Schema Registry's wire format; needs <see cref="SchemaRegistry"/>).
    /// </summary>
    public string Format { get; set; } = DebeziumJson;

    /// <summary>
    /// Whether each JSON key and value carries its Kafka Connect <c>schema</c> block (<c>{"schema":…,"payload":…}</c>,
    /// JsonConverter's <c>schemas.enable=true</c>, its default) or is the bare payload.
    /// </summary>
    public bool Schemas { get; set; } = true;

    /// <summary><c>all</c> (default; needed by the idempotent producer), <c>leader</c> or <c>none</c>.</summary>
    public string Acks { get; set; } = "all";

    /// <summary><c>none</c> (default), <c>gzip</c>, <c>snappy</c>, <c>lz4</c> or <c>zstd</c>.</summary>
    public string Compression { get; set; } = "none";

    /// <summary>Partitions of a topic the sink creates (per-key order holds with any count: the key picks the partition).</summary>
    public int PartitionsPerTopic { get; set; } = 1;

    /// <summary>Replication factor of a topic the sink creates; -1 takes the brokers' <c>default.replication.factor</c>.</summary>
    public int ReplicationFactor { get; set; } = -1;

    /// <summary>
    /// Each batch in one Kafka transaction, committed before the sink stores its position; the transactional id is
    /// one per sink grain (<c>sentinel.&lt;pipeline&gt;.&lt;sink&gt;.&lt;schema&gt;.&lt;table&gt;</c>), so a new activation fences the old producer.
    /// </summary>
    public bool Transactional { get; set; }

    /// <summary>How <c>numeric</c> columns are written: <c>precise</c> (Debezium's default: Connect Decimal bytes), <c>string</c> or <c>double</c>.</summary>
    public string DecimalHandling { get; set; } = "precise";

    /// <summary>How long a batch may wait for the brokers' acknowledgements before it is retried.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The Schema Registry of <c>format: debezium-avro</c> (required there, refused with JSON).</summary>
    public SchemaRegistryOptions? SchemaRegistry { get; set; }

    /// <summary>Authentication and encryption towards the brokers.</summary>
    public KafkaSecurityOptions Security { get; set; } = new();

    /// <summary>One problem per mistake, each naming its key below <paramref name="section"/>; empty when usable. Never quotes a password.</summary>
    public IReadOnlyList<OptionProblem> Validate(string section = SectionName)
    {
        var problems = new List<OptionProblem>();
        if (string.IsNullOrWhiteSpace(BootstrapServers) || BootstrapServers.Split(',').Any(b => !b.Trim().Contains(':', StringComparison.Ordinal)))
        {
            problems.Add(new OptionProblem($"{section}.bootstrapServers", $"must list the brokers as host:port[,host:port...], not '{BootstrapServers}'"));
        }

        if (string.IsNullOrWhiteSpace(TopicPrefix) || TopicPrefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            problems.Add(new OptionProblem($"{section}.topicPrefix", $"required: letters, digits, '.', '_' and '-' only (Kafka topic characters), not '{TopicPrefix}'"));
        }

        if (!s_formats.Contains(Format))
        {
            problems.Add(new OptionProblem($"{section}.format", $"must be {DebeziumJson} or {DebeziumAvro}, not '{Format}'"));
        }
        else if (Format == DebeziumAvro && SchemaRegistry is null)
        {
            problems.Add(new OptionProblem($"{section}.schemaRegistry", "required with format debezium-avro (schemaRegistry: { url: http://registry:8081 })"));
        }
        else if (Format != DebeziumAvro && SchemaRegistry is not null)
        {
            problems.Add(new OptionProblem($"{section}.schemaRegistry", $"used only with format {DebeziumAvro}, not {Format}"));
        }

        if (SchemaRegistry is not null)
        {
            problems.AddRange(SchemaRegistry.Validate($"{section}.schemaRegistry"));
        }

        Check(problems, $"{section}.acks", Acks, s_acks);
        Check(problems, $"{section}.compression", Compression, s_compressions);
        Check(problems, $"{section}.decimalHandling", DecimalHandling, s_decimalModes);
        if (PartitionsPerTopic < 1)
        {
            problems.Add(new OptionProblem($"{section}.partitionsPerTopic", "must be at least 1"));
        }

        if (ReplicationFactor is 0 or < -1)
        {
            problems.Add(new OptionProblem($"{section}.replicationFactor", "must be at least 1, or -1 for the brokers' default"));
        }

        if (Transactional && Acks != "all")
        {
            problems.Add(new OptionProblem($"{section}.acks", "must be 'all' when transactional is true (Kafka transactions need the idempotent producer)"));
        }

        if (DeliveryTimeout <= TimeSpan.Zero)
        {
            problems.Add(new OptionProblem($"{section}.deliveryTimeout", "must be positive (e.g. 00:02:00)"));
        }

        problems.AddRange(Security.Validate($"{section}.security"));
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming every offending key.</summary>
    public void ValidateOrThrow()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems.Select(p => p.ToString())));
        }
    }

    /// <summary>The topic of a source table: <c>&lt;topicPrefix&gt;.&lt;schema&gt;.&lt;table&gt;</c>.</summary>
    public string TopicOf(TableName table) => $"{TopicPrefix}.{table.Schema}.{table.Name}";

    /// <summary>The librdkafka settings shared by the sink's producers and admin client.</summary>
    internal ClientConfig ClientConfig()
    {
        var config = new ClientConfig { BootstrapServers = BootstrapServers };
        Security.ApplyTo(config);
        return config;
    }

    /// <summary>Everything but secrets.</summary>
    public override string ToString() => $"{BootstrapServers} topicPrefix={TopicPrefix} format={Format}";

    private static void Check(List<OptionProblem> problems, string key, string value, string[] allowed)
    {
        if (!allowed.Contains(value))
        {
            problems.Add(new OptionProblem(key, $"must be one of {string.Join(", ", allowed)}, not '{value}'"));
        }
    }
}
