using SentinelSync.Replication;
using SentinelSync.Replication.Kafka.Source;
using SentinelSync.IntegrationTests.Postgres.Sink;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// Offsets of a table fed by several Kafka partitions: the Postgres sink keeps one per (table, partition), in the
/// data's transaction, so a partition's offsets never make another partition's changes look applied.
/// </summary>
public sealed class StreamOffsetTests
{
    private static readonly TableName s_table = new("public", "items");
    private static readonly TableSchema s_schema = KafkaTableShape.Merge(s_table, null, [new("id", "bigint", 20, true), new("name", "text", 25, false)]);

    private static ChangeBatch Batch(string stream, params (long Offset, string Id, string Name)[] rows) =>
        new(s_table, [.. rows.Select(r => new RowChange(ChangeKind.Insert, KafkaChanges.PositionOf(r.Offset), s_schema, [ColumnValue.Of(r.Id), ColumnValue.Of(r.Name)]))], KafkaChanges.PositionOf(rows[^1].Offset))
        {
            Stream = stream,
        };

    [Fact]
    public async Task Each_partition_has_its_own_offset_and_a_replay_of_one_is_skipped_without_touching_the_other()
    {
        await using var target = await SinkTarget.CreateAsync();
        var p0 = KafkaGrainKeys.Stream("db.public.items", 0);
        var p1 = KafkaGrainKeys.Stream("db.public.items", 1);

        await target.Sink.ApplyAsync(Batch(p0, (0, "1", "a"), (99, "2", "b")), SinkTarget.SinkName, epoch: 1);
        // Partition 1 is far behind partition 0: its offsets 0..5 must still be applied.
        await target.Sink.ApplyAsync(Batch(p1, (0, "10", "x"), (5, "11", "y")), SinkTarget.SinkName, epoch: 1);
        // A replay of partition 0 after a restart (with a changed value) is skipped: offset 0 is at or below 99.
        await target.Sink.ApplyAsync(Batch(p0, (0, "1", "CHANGED")), SinkTarget.SinkName, epoch: 1);

        (await target.RowsAsync("SELECT id, name FROM public.items ORDER BY id")).ShouldBe(["1|a", "2|b", "10|x", "11|y"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_table, p0))!.Position.ShouldBe(KafkaChanges.PositionOf(99));
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_table, p1))!.Position.ShouldBe(KafkaChanges.PositionOf(5));
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_table, stream: null)).ShouldBeNull();
        KafkaChanges.NextOffset((await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_table, p1))!.Position).ShouldBe(6);
    }

    [Fact]
    public async Task Several_partitions_in_one_transaction_skip_and_store_each_partitions_own_offset()
    {
        await using var target = await SinkTarget.CreateAsync();
        var p0 = KafkaGrainKeys.Stream("db.public.items", 0);
        var p1 = KafkaGrainKeys.Stream("db.public.items", 1);
        await target.Sink.ApplyAsync(Batch(p0, (0, "1", "a"), (7, "2", "b")), SinkTarget.SinkName, epoch: 1);

        // Partition 0's offsets 0..7 are applied already (skipped, even with a changed value); its 8 and all of partition 1 are not.
        var applied = await target.Sink.ApplyStreamsAsync(
            [Batch(p0, (7, "2", "CHANGED"), (8, "3", "c")), Batch(p1, (0, "10", "x"), (3, "11", "y"))], SinkTarget.SinkName, epoch: 1);

        applied.ShouldBe([KafkaChanges.PositionOf(8), KafkaChanges.PositionOf(3)]);
        (await target.RowsAsync("SELECT id, name FROM public.items ORDER BY id")).ShouldBe(["1|a", "2|b", "3|c", "10|x", "11|y"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_table, p0))!.Position.ShouldBe(KafkaChanges.PositionOf(8));
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_table, p1))!.Position.ShouldBe(KafkaChanges.PositionOf(3));
    }

    [Fact]
    public async Task Several_partitions_in_one_transaction_are_fenced_as_a_whole()
    {
        await using var target = await SinkTarget.CreateAsync();
        var p0 = KafkaGrainKeys.Stream("db.public.items", 0);
        var p1 = KafkaGrainKeys.Stream("db.public.items", 1);
        // A newer activation (epoch 2) wrote partition 1; the older one must write nothing, partition 0 included.
        await target.Sink.ApplyAsync(Batch(p1, (0, "10", "x")), SinkTarget.SinkName, epoch: 2);

        await Should.ThrowAsync<SentinelSync.Replication.Sinks.SinkFencedException>(() =>
            target.Sink.ApplyStreamsAsync([Batch(p0, (0, "1", "a")), Batch(p1, (1, "11", "y"))], SinkTarget.SinkName, epoch: 1));

        (await target.RowsAsync("SELECT id, name FROM public.items ORDER BY id")).ShouldBe(["10|x"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_table, p0)).ShouldBeNull();
    }

    [Fact]
    public async Task Several_batches_of_one_partition_are_refused()
    {
        await using var target = await SinkTarget.CreateAsync();
        var p0 = KafkaGrainKeys.Stream("db.public.items", 0);

        await Should.ThrowAsync<ArgumentException>(() =>
            target.Sink.ApplyStreamsAsync([Batch(p0, (0, "1", "a")), Batch(p0, (1, "2", "b"))], SinkTarget.SinkName, epoch: 1));
    }
}
