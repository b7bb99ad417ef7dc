using System.Runtime.InteropServices;
using System.Text;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// librdkafka's mock Kafka cluster, in this process: real Kafka protocol on 127.0.0.1 ports, so any client in any
/// process connects with plain <c>bootstrap.servers</c>. For development and tests only (no broker can be installed
/// on the build machines); it lives until disposed, with everything it holds in memory.
/// </summary>
/// <remarks>
/// Measured limits of librdkafka 2.16's mock: AdminClient CreateTopics times out (create topics with
/// <see cref="CreateTopic"/>; a producer's metadata request for an unknown topic also creates it with the mock's
/// defaults), <c>read_committed</c> is not enforced, offsets sent with <c>SendOffsetsToTransaction</c> are not
/// stored, ListConsumerGroups crashes the process, about 5 MB are kept per partition, and classic group joins
/// wait <c>session.timeout.ms</c> − 1 s (use a short session timeout).
/// </remarks>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly Lock _gate = new();
    private IntPtr _client;
    private IntPtr _cluster;

    private MockKafkaCluster(IntPtr client, IntPtr cluster, int brokers, string bootstrapServers)
    {
        _client = client;
        _cluster = cluster;
        Brokers = brokers;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The brokers' addresses, <c>127.0.0.1:port,...</c>, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>How many brokers the cluster has.</summary>
    public int Brokers { get; }

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers (1 to 16).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokers"/> is outside 1..16.</exception>
    /// <exception cref="InvalidOperationException">librdkafka cannot be loaded or the cluster does not start.</exception>
    public static MockKafkaCluster Start(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokers, 16);
        KafkaNativeLibrary.EnsureLoaded();

        var client = NewOwnerClient();
        var cluster = MockClusterNative.rd_kafka_mock_cluster_new(client, brokers);
        if (cluster == IntPtr.Zero)
        {
            MockClusterNative.rd_kafka_destroy(client);
            throw new InvalidOperationException($"librdkafka could not start a mock Kafka cluster of {brokers} broker(s).");
        }

        MockClusterNative.rd_kafka_mock_set_controller_id(cluster, 1);
        var bootstraps = Marshal.PtrToStringUTF8(MockClusterNative.rd_kafka_mock_cluster_bootstraps(cluster)) ?? "";
        return new MockKafkaCluster(client, cluster, brokers, bootstraps);
    }

    /// <summary>
    /// Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions, each replicated
    /// <paramref name="replicationFactor"/> times (at most the broker count).
    /// </summary>
    /// <exception cref="InvalidOperationException">The mock refused (the message names the topic and librdkafka's error).</exception>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            var error = MockClusterNative.rd_kafka_mock_topic_create(_cluster, topic, partitions, Math.Min(replicationFactor, Brokers));
            if (error != 0)
            {
                var reason = Marshal.PtrToStringUTF8(MockClusterNative.rd_kafka_err2str(error));
                throw new InvalidOperationException($"The mock Kafka cluster did not create topic '{topic}' ({partitions} partitions): {reason} (error {error}).");
            }
        }
    }

    /// <summary>Stops the brokers (clients see them go away) and frees what they held.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster == IntPtr.Zero)
            {
                return;
            }

            // The cluster runs on the owner client's threads: destroy it first, then its owner.
            MockClusterNative.rd_kafka_mock_cluster_destroy(_cluster);
            MockClusterNative.rd_kafka_destroy(_client);
            _cluster = IntPtr.Zero;
            _client = IntPtr.Zero;
        }
    }

    /// <summary>A producer handle with no brokers of its own: the mock cluster needs an rd_kafka_t to run on.</summary>
    private static IntPtr NewOwnerClient()
    {
        var errors = new StringBuilder(512);
        var conf = MockClusterNative.rd_kafka_conf_new();
        // Quiet: with no bootstrap.servers of its own the owner would log a warning nobody needs.
        if (MockClusterNative.rd_kafka_conf_set(conf, "log_level", "3", errors, (UIntPtr)errors.Capacity) != MockClusterNative.ConfigOk)
        {
            MockClusterNative.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"librdkafka rejected the mock cluster's client configuration: {errors}");
        }

        var client = MockClusterNative.rd_kafka_new(MockClusterNative.ProducerType, conf, errors, (UIntPtr)errors.Capacity);
        if (client == IntPtr.Zero)
        {
            MockClusterNative.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"librdkafka could not create the mock cluster's client: {errors}");
        }

        return client;
    }
}
