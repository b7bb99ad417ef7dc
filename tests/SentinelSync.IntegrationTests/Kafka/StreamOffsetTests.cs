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
}
