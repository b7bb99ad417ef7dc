using SentinelSync.Replication.ClickHouse;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Tests.Pipelines;

/// <summary>How far a streaming source reads ahead of its sinks: two of the largest destination transactions among them.</summary>
public sealed class StreamQueueLimitTests
{
    private static readonly SinkConfig s_postgres = new() { Name = "warehouse", Postgres = new PostgresSinkOptions() };
    private static readonly SinkConfig s_kafka = new() { Name = "bus", Kafka = new KafkaSinkOptions() };
    private static readonly SinkConfig s_clickHouse = new() { Name = "analytics", ClickHouse = new ClickHouseSinkOptions() };

    [Fact]
    public void Postgres_and_Kafka_sinks_are_read_ahead_of_by_two_of_their_transactions() =>
        SourceRunner.StreamQueueLimit(new[] { s_postgres, s_kafka }.Select(PipelineRegistry.MaxBatchChanges)).ShouldBe(20_000);

    [Fact]
    public void A_ClickHouse_sink_keeps_room_for_two_of_its_larger_inserts()
    {
        PipelineRegistry.MaxBatchChanges(s_clickHouse).ShouldBe(50_000);
        SourceRunner.StreamQueueLimit(new[] { s_postgres, s_clickHouse }.Select(PipelineRegistry.MaxBatchChanges)).ShouldBe(SourceRunner.MaxQueuedChanges);
    }
}
