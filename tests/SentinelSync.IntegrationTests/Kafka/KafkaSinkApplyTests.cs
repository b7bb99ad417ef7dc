using SentinelSync.Replication;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>The Kafka sink against librdkafka's mock cluster (or SENTINEL_TEST_KAFKA) and the real control database.</summary>
public sealed class KafkaSinkApplyTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer", 1), Column("name", "text", 2), Column("body", "text", 3));

    [Fact]
    public async Task Changes_arrive_in_order_per_key_and_the_position_is_stored_after_the_acknowledgement()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        await kafka.CreateTopicAsync(target.Options.TopicOf(s_items.Table), partitions: 3);
        var builder = new ChangeBatchBuilder(s_items)
            .Insert("1", "a", "x").Insert("2", "b", "y").Update("1", "a2", ColumnValue.Unchanged).Delete("2").Insert("3", "c", "z").Update("3", "c2", "z2");

        var applied = await target.Sink.ApplyAsync(builder.Build(), KafkaSinkTarget.SinkName, epoch: 1);

        applied.ShouldBe(builder.Changes[^1].Position);
        (await target.Sink.ReadOffsetAsync(KafkaSinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(applied);
        var events = await target.ReadAsync(s_items.Table, expected: 7);
        events.Count.ShouldBe(7);
        PerKey(events, """{"id":1}""").ShouldBe(["c {\"id\":1,\"name\":\"a\",\"body\":\"x\"}", "u {\"id\":1,\"name\":\"a2\",\"body\":\"__debezium_unavailable_value\"}"]);
        PerKey(events, """{"id":2}""").ShouldBe(["c {\"id\":2,\"name\":\"b\",\"body\":\"y\"}", "d ", "tombstone "]);
        PerKey(events, """{"id":3}""").ShouldBe(["c {\"id\":3,\"name\":\"c\",\"body\":\"z\"}", "u {\"id\":3,\"name\":\"c2\",\"body\":\"z2\"}"]);
        events.Single(e => e.Op == "d").Before.ShouldBe("""{"id":2,"name":null,"body":null}""");
        events.Select(e => e.Partition).Distinct().Count().ShouldBeGreaterThan(1, "3 keys over 3 partitions (murmur2) should not all land in one");
    }

    [Fact]
    public async Task A_batch_at_or_below_the_stored_position_sends_nothing_again()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y");
        await target.Sink.ApplyAsync(builder.Build(), KafkaSinkTarget.SinkName, 1);
        await target.Sink.ApplyAsync(builder.Build(), KafkaSinkTarget.SinkName, 1);
        builder.Insert("3", "c", "z");

        await target.Sink.ApplyAsync(builder.Build(), KafkaSinkTarget.SinkName, 1);

        var events = await target.ReadAsync(s_items.Table, expected: 3);
        events.Select(e => e.Key).Order().ShouldBe(["""{"id":1}""", """{"id":2}""", """{"id":3}"""]);
        events.Select(e => e.Position).ShouldBeUnique();
    }

    [Fact]
    public async Task A_position_lost_after_the_acknowledgement_sends_the_batch_again_with_the_same_positions()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Delete("1");
        await target.Sink.ApplyAsync(builder.Build(), KafkaSinkTarget.SinkName, 1);

        // As if the control database's commit had failed after Kafka acknowledged: the documented duplicate.
        await target.Control.ExecuteAsync("UPDATE sentinel.kafka_offsets SET lsn = '0/0', ordinal = 0");
        await target.Sink.ApplyAsync(builder.Build(), KafkaSinkTarget.SinkName, 1);

        var events = await target.ReadAsync(s_items.Table, expected: 6);
        events.Select(e => e.Op).ShouldBe(["c", "d", "tombstone", "c", "d", "tombstone"]);
        events.Take(3).Select(e => e.Position).ShouldBe(events.Skip(3).Select(e => e.Position), "a consumer drops the repeat by its position");
    }

    [Fact]
    public async Task An_older_epoch_is_fenced_before_anything_is_sent()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        await target.Sink.ApplyAsync(new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Build(), KafkaSinkTarget.SinkName, epoch: 2);
        await using var zombie = target.NewSink();

        await Should.ThrowAsync<SinkFencedException>(() => zombie.ApplyAsync(new ChangeBatchBuilder(s_items, 0x5000).Insert("2", "b", "y").Build(), KafkaSinkTarget.SinkName, epoch: 1));

        (await target.ReadAsync(s_items.Table, expected: 1)).Select(e => e.Key).ShouldBe(["""{"id":1}"""]);
    }

    [Fact]
    public async Task A_value_the_format_cannot_carry_sends_nothing_and_is_permanent()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        var schema = Table("amounts", 1, Key("id", "integer", 1), Column("amount", "numeric(10,2)", 2));
        var batch = new ChangeBatchBuilder(schema).Insert("1", "1.00").Insert("2", "NaN").Build();

        var error = await Should.ThrowAsync<KafkaValueException>(() => target.Sink.ApplyAsync(batch, KafkaSinkTarget.SinkName, 1));

        target.Sink.IsTransient(error).ShouldBeFalse();
        ((await target.Sink.ReadOffsetAsync(KafkaSinkTarget.SinkName, schema.Table))?.Position ?? Position.Zero).ShouldBe(Position.Zero);
        await target.Sink.ApplyAsync(new ChangeBatchBuilder(schema, 0x3000).Insert("3", "3.00").Build(), KafkaSinkTarget.SinkName, 1);
        (await target.ReadAsync(schema.Table, expected: 1)).Select(e => e.Key).ShouldBe(["""{"id":3}"""]);
    }

    [Fact]
    public async Task A_truncate_reaches_every_partition()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka);
        await kafka.CreateTopicAsync(target.Options.TopicOf(s_items.Table), partitions: 3);

        await target.Sink.ApplyAsync(new ChangeBatchBuilder(s_items).Truncate().Build(), KafkaSinkTarget.SinkName, 1);

        var events = await target.ReadAsync(s_items.Table, expected: 3);
        events.Select(e => (e.Partition, e.Op, e.Key)).ShouldBe([(0, "t", null), (1, "t", null), (2, "t", null)]);
    }

    [Fact]
    public async Task A_missing_topic_is_created_by_the_sink()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka, o => o.PartitionsPerTopic = 2);

        await target.Sink.ApplyAsync(new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Build(), KafkaSinkTarget.SinkName, 1);

        var partitions = await kafka.PartitionsAsync(target.Options.TopicOf(s_items.Table), TimeSpan.FromSeconds(30));
        // The mock refuses CreateTopics; its metadata request then auto-creates the topic with its own default (4).
        partitions.Count.ShouldBe(kafka.IsMock ? 4 : 2);
        (await target.ReadAsync(s_items.Table, expected: 1)).Single().Op.ShouldBe("c");
    }

    [Fact]
    public async Task Transactional_batches_arrive_and_a_newer_epoch_takes_over_the_transactional_id()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka, o => o.Transactional = true);
        await target.Sink.ApplyAsync(new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y").Build(), KafkaSinkTarget.SinkName, epoch: 1);
        await using var successor = target.NewSink();

        await successor.ApplyAsync(new ChangeBatchBuilder(s_items, 0x5000).Update("1", "a2", "x2").Build(), KafkaSinkTarget.SinkName, epoch: 2);
        await Should.ThrowAsync<SinkFencedException>(() => target.Sink.ApplyAsync(new ChangeBatchBuilder(s_items, 0x6000).Delete("1").Build(), KafkaSinkTarget.SinkName, epoch: 1));

        var events = await target.ReadAsync(s_items.Table, expected: 3);
        events.Select(e => e.Op).ShouldBe(["c", "c", "u"]);
    }

    [EnvironmentFact(KafkaTestCluster.BrokerVariable, "Kafka broker")]
    public async Task On_a_real_broker_the_sink_creates_the_topic_with_the_configured_partitions()
    {
        await using var target = await KafkaSinkTarget.CreateAsync(kafka, o => o.PartitionsPerTopic = 5);

        await target.Sink.ApplyAsync(new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Build(), KafkaSinkTarget.SinkName, 1);

        (await kafka.PartitionsAsync(target.Options.TopicOf(s_items.Table), TimeSpan.FromSeconds(30))).Count.ShouldBe(5);
    }

    private static List<string> PerKey(List<KafkaSinkTarget.Event> events, string key) =>
        [.. events.Where(e => e.Key == key).Select(e => $"{e.Op} {e.After}")];
}
