using System.Collections.Concurrent;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// Makes sure a sink's topics exist, with the configured partitions and replication factor, and knows their
/// partition counts. A topic is created through the AdminClient; where that is refused (librdkafka's mock
/// cluster does not implement CreateTopics, a broker may forbid it) the sink uses the topic as the brokers
/// have it (existing, or auto-created on the metadata request) and says so once.
/// </summary>
internal sealed partial class KafkaTopics(KafkaSinkOptions options, ILogger logger) : IDisposable
{
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, int> _partitions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IAdminClient? _admin;
    private IAdminClient? _autoCreatingAdmin;

    /// <summary>The partition count of <paramref name="topic"/>, creating the topic first when missing.</summary>
    /// <exception cref="KafkaException">The brokers cannot be reached or the topic neither exists nor can be created (transient: the batch waits).</exception>
    public async Task<int> EnsureAsync(string topic, CancellationToken cancellationToken)
    {
        if (_partitions.TryGetValue(topic, out var known))
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_partitions.TryGetValue(topic, out known))
            {
                return known;
            }

            var admin = _admin ??= NewAdmin(autoCreate: false);
            var partitions = Describe(admin, topic);
            if (partitions == 0 && !await CreateAsync(admin, topic).ConfigureAwait(false))
            {
                // Creation refused: a broker that auto-creates topics (the mock does) creates it on this request.
                partitions = Describe(_autoCreatingAdmin ??= NewAdmin(autoCreate: true), topic);
            }
            else if (partitions == 0)
            {
                partitions = Describe(admin, topic);
            }

            if (partitions == 0)
            {
                throw new KafkaException(new Error(ErrorCode.UnknownTopicOrPart, $"Kafka topic '{topic}' does not exist and could not be created"));
            }

            _partitions[topic] = partitions;
            return partitions;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Metadata requests must not create a topic with the brokers' defaults before the sink creates it as configured
    /// (librdkafka's producer-type clients ask for auto-creation unless told not to).
    /// </summary>
    private IAdminClient NewAdmin(bool autoCreate)
    {
        var config = options.ClientConfig();
        config.Set("allow.auto.create.topics", autoCreate ? "true" : "false");
        return new AdminClientBuilder(config).Build();
    }

    /// <summary>Partitions the brokers report for the topic; 0 when it does not exist (yet).</summary>
    private static int Describe(IAdminClient admin, string topic)
    {
        var metadata = admin.GetMetadata(topic, s_requestTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
        return metadata is { Error.IsError: false } ? metadata.Partitions.Count : 0;
    }

    /// <summary>Creates the topic as configured; false when the brokers refused (and said why in the log).</summary>
    private async Task<bool> CreateAsync(IAdminClient admin, string topic)
    {
        var specification = new TopicSpecification
        {
            Name = topic,
            NumPartitions = options.PartitionsPerTopic,
            ReplicationFactor = (short)options.ReplicationFactor,
        };
        try
        {
            await admin.CreateTopicsAsync([specification], new CreateTopicsOptions { RequestTimeout = s_requestTimeout, OperationTimeout = s_requestTimeout }).ConfigureAwait(false);
            LogCreated(logger, topic, options.PartitionsPerTopic, options.ReplicationFactor);
            return true;
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Created meanwhile by another sink grain or silo.
            return true;
        }
        catch (KafkaException e)
        {
            LogNotCreated(logger, topic, e.Message);
            return false;
        }
    }

    public void Dispose()
    {
        _admin?.Dispose();
        _autoCreatingAdmin?.Dispose();
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Kafka topic {Topic} ({Partitions} partitions, replication factor {ReplicationFactor})")]
    private static partial void LogCreated(ILogger logger, string topic, int partitions, int replicationFactor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create Kafka topic {Topic} ({Reason}); using it as the brokers have it (an existing or auto-created topic, with their partition count)")]
    private static partial void LogNotCreated(ILogger logger, string topic, string reason);
}
