using SentinelSync.Replication;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// Erasure at a Kafka sink (librdkafka's mock cluster, or SENTINEL_TEST_KAFKA): the key's delete event and tombstone
/// are published, so compaction can drop its history; fenced like a batch, and the stored position does not move.
/// </summary>
public sealed class KafkaSinkEraseTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer", 1), Column("name", "text", 2));

    [Fact]
    public async Task Erase_publishes_the_keys_delete_and_tombstone_without_moving_the_position_and_an_older_epoch_is_fenced()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "alice").Insert("2", "bob");
        var applied = await target.Sink.ApplyAsync(builder.Build(), KafkaSinkTarget.SinkName, epoch: 2);

        var erased = await target.Sink.EraseAsync(Delete("2"), KafkaSinkTarget.SinkName, epoch: 2);

        erased.Count.ShouldBe(2);
        erased.Unit.ShouldBe("messages");
        var events = await target.ReadAsync(s_items.Table, expected: 4);
        events.Where(e => e.Key == """{"id":2}""").Select(e => e.Op).ShouldBe(["c", "d", "tombstone"]);
        events.Single(e => e.Op == "d").Before.ShouldBe("""{"id":2,"name":null}""");
        (await target.Sink.ReadOffsetAsync(KafkaSinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(applied);

        await Should.ThrowAsync<SinkFencedException>(() => target.Sink.EraseAsync(Delete("1"), KafkaSinkTarget.SinkName, epoch: 1));
        (await kafka.ReadAllAsync(target.Options.TopicOf(s_items.Table), expected: 5, TimeSpan.FromSeconds(5))).Count.ShouldBe(4, "the fenced erasure sent nothing");
    }

    private static RowChange Delete(string id) =>
        new(ChangeKind.Delete, default, s_items, [], [ColumnValue.Of(id), ColumnValue.Null]);
}
