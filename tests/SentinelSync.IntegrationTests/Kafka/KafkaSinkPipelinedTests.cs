using SentinelSync.Replication;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// The Kafka sink with several batches of a table in flight (<see cref="Replication.Pipelines.IPipelinedSink"/>), against
/// librdkafka's mock cluster (or SENTINEL_TEST_KAFKA) and the real control database: acknowledgements in order, the
/// position stored only up to the last batch acknowledged with every batch before it, fencing.
/// </summary>
public sealed class KafkaSinkPipelinedTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer", 1), Column("name", "text", 2), Column("body", "text", 3));
    private static readonly TableSchema s_amounts = Table("amounts", 1, Key("id", "integer", 1), Column("amount", "numeric(10,2)", 2));

    [Fact]
    public async Task Batches_sent_together_are_acknowledged_in_order_and_the_last_position_is_stored()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        await kafka.CreateTopicAsync(target.Options.TopicOf(s_items.Table), partitions: 3);
        ChangeBatch[] batches =
        [
            new ChangeBatchBuilder(s_items, 0x1000).Insert("1", "a", "x").Insert("2", "b", "y").Build(),
            new ChangeBatchBuilder(s_items, 0x2000).Update("1", "a2", "x2").Build(),
            new ChangeBatchBuilder(s_items, 0x3000).Delete("2").Insert("3", "c", "z").Build(),
        ];

        var acknowledgements = new List<Task<Position>>();
        foreach (var batch in batches)
        {
            acknowledgements.Add(await target.Sink.SendAsync(batch, KafkaSinkTarget.SinkName, epoch: 1));
        }

        (await Task.WhenAll(acknowledgements)).ShouldBe(batches.Select(b => b.Through));
        (await target.Sink.ReadOffsetAsync(KafkaSinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(batches[^1].Through);
        var events = await target.ReadAsync(s_items.Table, expected: 6);
        events.Where(e => e.Key == """{"id":1}""").Select(e => e.Op).ShouldBe(["c", "u"]);
        events.Where(e => e.Key == """{"id":2}""").Select(e => e.Op).ShouldBe(["c", "d", "tombstone"]);
        events.Where(e => e.Key == """{"id":3}""").Select(e => e.Op).ShouldBe(["c"]);
    }

    [Fact]
    public async Task A_failed_batch_fails_every_batch_sent_after_it_and_only_the_batches_before_it_are_stored()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        var first = new ChangeBatchBuilder(s_amounts, 0x1000).Insert("1", "1.00").Build();
        var poisoned = new ChangeBatchBuilder(s_amounts, 0x2000).Insert("2", "NaN").Build();
        var after = new ChangeBatchBuilder(s_amounts, 0x3000).Insert("3", "3.00").Build();

        var acknowledgedFirst = await target.Sink.SendAsync(first, KafkaSinkTarget.SinkName, 1);
        var acknowledgedPoisoned = await target.Sink.SendAsync(poisoned, KafkaSinkTarget.SinkName, 1);
        var acknowledgedAfter = await target.Sink.SendAsync(after, KafkaSinkTarget.SinkName, 1);

        (await acknowledgedFirst).ShouldBe(first.Through);
        await Should.ThrowAsync<KafkaValueException>(() => acknowledgedPoisoned);
        await Should.ThrowAsync<KafkaValueException>(() => acknowledgedAfter);
        (await target.Sink.ReadOffsetAsync(KafkaSinkTarget.SinkName, s_amounts.Table))!.Position.ShouldBe(first.Through);

        // The batch after the failure reached Kafka but does not count: applied again, it is there twice (at least once).
        await target.Sink.ApplyAsync(after, KafkaSinkTarget.SinkName, 1);
        (await target.ReadAsync(s_amounts.Table, expected: 3)).Select(e => e.Key).ShouldBe(["""{"id":1}""", """{"id":3}""", """{"id":3}"""]);
        (await target.Sink.ReadOffsetAsync(KafkaSinkTarget.SinkName, s_amounts.Table))!.Position.ShouldBe(after.Through);

        var later = new ChangeBatchBuilder(s_amounts, 0x4000).Insert("4", "4.00").Build();
        (await await target.Sink.SendAsync(later, KafkaSinkTarget.SinkName, 1)).ShouldBe(later.Through);
        (await target.Sink.ReadOffsetAsync(KafkaSinkTarget.SinkName, s_amounts.Table))!.Position.ShouldBe(later.Through);
    }

    [Fact]
    public async Task An_older_epoch_is_fenced_before_anything_is_sent()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        var owned = new ChangeBatchBuilder(s_items, 0x1000).Insert("1", "a", "x").Build();
        (await await target.Sink.SendAsync(owned, KafkaSinkTarget.SinkName, epoch: 2)).ShouldBe(owned.Through);
        await using var zombie = target.NewSink();

        await Should.ThrowAsync<SinkFencedException>(() => zombie.SendAsync(new ChangeBatchBuilder(s_items, 0x5000).Insert("2", "b", "y").Build(), KafkaSinkTarget.SinkName, epoch: 1));

        (await target.ReadAsync(s_items.Table, expected: 1)).Select(e => e.Key).ShouldBe(["""{"id":1}"""]);
    }
}
