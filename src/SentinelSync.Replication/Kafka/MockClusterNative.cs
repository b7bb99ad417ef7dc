using System.Runtime.InteropServices;
using System.Text;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// The few librdkafka C functions the mock cluster needs (rdkafka.h, rdkafka_mock.h). "librdkafka" resolves to
/// the file <see cref="KafkaNativeLibrary"/> loaded, so call <see cref="KafkaNativeLibrary.EnsureLoaded"/> first.
/// </summary>
internal static class MockClusterNative
{
    private const string Library = "librdkafka";

    /// <summary>RD_KAFKA_PRODUCER: the client type of the handle that owns the mock cluster's threads.</summary>
    public const int ProducerType = 0;

    /// <summary>RD_KAFKA_CONF_OK.</summary>
    public const int ConfigOk = 0;

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern IntPtr rd_kafka_conf_new();

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void rd_kafka_conf_destroy(IntPtr conf);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, CharSet = CharSet.Ansi, BestFitMapping = false)]
    public static extern int rd_kafka_conf_set(IntPtr conf, string name, string value, StringBuilder errstr, UIntPtr errstrSize);

    /// <summary>On success the handle owns <paramref name="conf"/>; on failure the caller still does.</summary>
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern IntPtr rd_kafka_new(int type, IntPtr conf, StringBuilder errstr, UIntPtr errstrSize);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void rd_kafka_destroy(IntPtr rk);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void rd_kafka_mock_cluster_destroy(IntPtr mcluster);

    /// <summary>A comma-separated host:port list owned by the cluster (valid until it is destroyed).</summary>
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    /// <summary>Returns an rd_kafka_resp_err_t (0 = no error).</summary>
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, CharSet = CharSet.Ansi, BestFitMapping = false)]
    public static extern int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern IntPtr rd_kafka_err2str(int err);

    /// <summary>Which broker answers as the controller (-1 by default: admin requests then wait for one forever).</summary>
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern int rd_kafka_mock_set_controller_id(IntPtr mcluster, int brokerId);
}
