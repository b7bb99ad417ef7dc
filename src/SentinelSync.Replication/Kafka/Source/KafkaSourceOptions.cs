using System.Text.RegularExpressions;
using Confluent.SchemaRegistry;
using SentinelSync.Replication.Kafka.Avro;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Settings of a Kafka source: the brokers, the topics (a list or a pattern), the consumer group offsets are
/// also committed to (for lag tooling; the destinations' stored offsets are what reading resumes from), the
/// format of the messages and where a partition starts when no destination has applied anything from it yet.
/// </summary>
public sealed partial class KafkaSourceOptions
{
    /// <summary>Where these options sit in a pipeline's configuration.</summary>
    public const string SectionName = "source.kafka";

    public const string FormatDebeziumJson = "debezium-json";
    public const string FormatDebeziumAvro = "debezium-avro";
    public const string FormatScyllaCdc = "scylla-cdc";
    public const string StartEarliest = "earliest";
    public const string StartLatest = "latest";
    public const string DeletedStop = "stop";
    public const string DeletedSkip = "skip";

    private static readonly string[] s_formats = [FormatDebeziumJson, FormatDebeziumAvro, FormatScyllaCdc];

    /// <summary>Comma-separated <c>host:port</c> list of brokers.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Topics to read; exactly one of this and <see cref="TopicPattern"/>.</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>A regular expression (.NET syntax, matched against the whole topic name); topics created later are picked up.</summary>
    public string? TopicPattern { get; set; }

    /// <summary>The consumer group offsets are committed to after every sink applied them.</summary>
    public string GroupId { get; set; } = "";

    /// <summary><c>debezium-json</c> (default), <c>debezium-avro</c> or <c>scylla-cdc</c>.</summary>
    public string Format { get; set; } = FormatDebeziumJson;

    /// <summary>The Schema Registry of <c>format: debezium-avro</c> (required there, refused otherwise).</summary>
    public SchemaRegistryOptions? SchemaRegistry { get; set; }

    /// <summary><c>earliest</c> (default) or <c>latest</c>: where a partition nothing was applied from starts.</summary>
    public string StartFrom { get; set; } = StartEarliest;

    /// <summary>
    /// What a partition does when messages it has not applied are no longer on the brokers (retention or deleted
    /// records removed them first): <c>stop</c> (default) fails the partition with an error naming the gap,
    /// retried with backoff, and applies nothing beyond it; <c>skip</c> logs the gap as an error and goes on from the
    /// earliest offset the brokers hold.
    /// </summary>
    public string DeletedMessages { get; set; } = DeletedStop;

    /// <summary>How the source's consumers and metadata client authenticate and encrypt (as a Kafka sink's <c>security</c>).</summary>
    public KafkaSecurityOptions Security { get; set; } = new();

    /// <summary>Whether <paramref name="topic"/> is one this source reads.</summary>
    public bool Matches(string topic) =>
        TopicPattern is { Length: > 0 } pattern
            ? Regex.IsMatch(topic, $"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
            : Topics.Contains(topic, StringComparer.Ordinal);

    /// <summary>Checks the options; one problem per mistake, each naming its key below <paramref name="section"/>.</summary>
    public IReadOnlyList<OptionProblem> Validate(string section = SectionName)
    {
        var errors = new List<OptionProblem>();
        string Key(string property) => $"{section}.{char.ToLowerInvariant(property[0])}{property[1..]}";
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            errors.Add(new OptionProblem(Key(nameof(BootstrapServers)), "required (host:port of one or more brokers, comma-separated)."));
        }
        else if (BootstrapServers.Split(',').Any(b => !BrokerAddress().IsMatch(b.Trim())))
        {
            errors.Add(new OptionProblem(Key(nameof(BootstrapServers)), $"'{BootstrapServers}' is not a comma-separated list of host:port."));
        }

        var hasPattern = !string.IsNullOrWhiteSpace(TopicPattern);
        if (Topics.Count == 0 && !hasPattern)
        {
            errors.Add(new OptionProblem(Key(nameof(Topics)), "list at least one topic, or set topicPattern."));
        }
        else if (Topics.Count > 0 && hasPattern)
        {
            errors.Add(new OptionProblem(Key(nameof(TopicPattern)), "set either topics or topicPattern, not both."));
        }

        for (var i = 0; i < Topics.Count; i++)
        {
            if (!TopicName().IsMatch(Topics[i] ?? ""))
            {
                errors.Add(new OptionProblem($"{Key(nameof(Topics))}[{i}]", $"'{Topics[i]}' is not a valid topic name (letters, digits, '.', '_', '-', at most 249)."));
            }
        }

        if (hasPattern)
        {
            try
            {
                _ = new Regex(TopicPattern!, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                errors.Add(new OptionProblem(Key(nameof(TopicPattern)), $"'{TopicPattern}' is not a regular expression: {e.Message}"));
            }
        }

        if (string.IsNullOrWhiteSpace(GroupId))
        {
            errors.Add(new OptionProblem(Key(nameof(GroupId)), "required (the consumer group offsets are committed to, for lag tooling)."));
        }

        if (!s_formats.Contains(Format, StringComparer.Ordinal))
        {
            errors.Add(new OptionProblem(Key(nameof(Format)), $"'{Format}' is not one of {string.Join(", ", s_formats.Select(f => $"'{f}'"))}."));
        }
        else if (Format == FormatDebeziumAvro && SchemaRegistry is null)
        {
            errors.Add(new OptionProblem(Key(nameof(SchemaRegistry)), "required with format 'debezium-avro' (schemaRegistry: { url: http://registry:8081 })."));
        }
        else if (Format != FormatDebeziumAvro && SchemaRegistry is not null)
        {
            errors.Add(new OptionProblem(Key(nameof(SchemaRegistry)), $"used only with format '{FormatDebeziumAvro}', not '{Format}'."));
        }

        if (SchemaRegistry is not null)
        {
            errors.AddRange(SchemaRegistry.Validate(Key(nameof(SchemaRegistry))));
        }

        if (StartFrom is not (StartEarliest or StartLatest))
        {
            errors.Add(new OptionProblem(Key(nameof(StartFrom)), $"'{StartFrom}' is not one of '{StartEarliest}', '{StartLatest}'."));
        }

        if (DeletedMessages is not (DeletedStop or DeletedSkip))
        {
            errors.Add(new OptionProblem(Key(nameof(DeletedMessages)), $"'{DeletedMessages}' is not one of '{DeletedStop}', '{DeletedSkip}'."));
        }

        errors.AddRange(Security.Validate(Key(nameof(Security))));
        return errors;
    }

    /// <summary>The decoder of <see cref="Format"/>; an Avro decoder owns a registry client (dispose the decoder).</summary>
    public IKafkaMessageDecoder CreateDecoder() => Format switch
    {
        FormatDebeziumJson => new EnvelopeDecoder(scylla: false),
        FormatScyllaCdc => new EnvelopeDecoder(scylla: true),
        FormatDebeziumAvro => new AvroEnvelopeDecoder(SchemaRegistry?.CreateClient() ?? throw new InvalidOperationException("format debezium-avro without schemaRegistry"), ownsClient: true),
        _ => throw new InvalidOperationException($"Format '{Format}' has no decoder in this build."),
    };

    [GeneratedRegex(@"^[A-Za-z0-9._\-\[\]:]+:[0-9]{1,5}$")]
    private static partial Regex BrokerAddress();

    [GeneratedRegex(@"^[A-Za-z0-9._\-]{1,249}$")]
    private static partial Regex TopicName();
}
