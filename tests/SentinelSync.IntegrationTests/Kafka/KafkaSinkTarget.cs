using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Npgsql;
using SentinelSync.Replication.Kafka;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>A fresh control database, a topic prefix of its own on the test Kafka cluster and a <see cref="KafkaSink"/> writing there.</summary>
internal sealed class KafkaSinkTarget : IAsyncDisposable
{
    public const string SinkName = "kafka-test";
    public const string Pipeline = "kafka-pipeline";

    private KafkaSinkTarget(KafkaTestCluster kafka, PostgresDatabase control, NpgsqlDataSource dataSource, KafkaSinkOptions options)
    {
        Kafka = kafka;
        Control = control;
        ControlSource = dataSource;
        Options = options;
        Sink = NewSink();
    }

    public KafkaTestCluster Kafka { get; }

    public PostgresDatabase Control { get; }

    public NpgsqlDataSource ControlSource { get; }

    public KafkaSinkOptions Options { get; }

    public KafkaSink Sink { get; }

    public static async Task<KafkaSinkTarget> CreateAsync(
        KafkaTestCluster kafka,
        Action<KafkaSinkOptions>? configure = null,
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "")
    {
        var control = await PostgresDatabase.CreateAsync(TestServers.Postgres, name, callerFile);
        var dataSource = NpgsqlDataSource.Create(control.ConnectionString);
        var options = new KafkaSinkOptions { BootstrapServers = kafka.BootstrapServers, TopicPrefix = $"t{Guid.NewGuid():N}"[..16], Schemas = false };
        configure?.Invoke(options);
        return new KafkaSinkTarget(kafka, control, dataSource, options);
    }

    /// <summary>Another sink instance on the same control database and topics: what another silo would run.</summary>
    public KafkaSink NewSink() => new(Options, Pipeline, "sourcedb", ControlSource);

    /// <summary>Every message of the table's topic, waiting for at least <paramref name="expected"/>.</summary>
    public async Task<List<Event>> ReadAsync(Replication.TableName table, int expected)
    {
        var messages = await Kafka.ReadAllAsync(Options.TopicOf(table), expected, TimeSpan.FromSeconds(60));
        return [.. messages.Select(Event.Of)];
    }

    public async ValueTask DisposeAsync()
    {
        await Sink.DisposeAsync();
        await ControlSource.DisposeAsync();
        await Control.DisposeAsync();
    }

    /// <summary>One consumed message: partition, key JSON, op (or "tombstone"), after/before JSON and the position header.</summary>
    public sealed record Event(int Partition, string? Key, string Op, string? After, string? Before, string Position)
    {
        public static Event Of(ConsumeResult<byte[]?, byte[]?> message)
        {
            var position = Encoding.ASCII.GetString(message.Message.Headers.GetLastBytes(DebeziumEnvelopeHeader));
            var key = message.Message.Key is null ? null : Encoding.UTF8.GetString(message.Message.Key);
            if (message.Message.Value is null)
            {
                return new(message.Partition.Value, key, "tombstone", null, null, position);
            }

            var value = JsonDocument.Parse(message.Message.Value).RootElement;
            return new(
                message.Partition.Value,
                key,
                value.GetProperty("op").GetString()!,
                value.GetProperty("after") is { ValueKind: JsonValueKind.Object } after ? after.GetRawText() : null,
                value.GetProperty("before") is { ValueKind: JsonValueKind.Object } before ? before.GetRawText() : null,
                position);
        }

        private const string DebeziumEnvelopeHeader = Replication.Kafka.Debezium.DebeziumEnvelope.PositionHeader;
    }
}
