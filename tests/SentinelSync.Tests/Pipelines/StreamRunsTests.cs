using System.Globalization;
using SentinelSync.Replication;
using SentinelSync.Replication.Grains;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Pipelines;

/// <summary>What a sink grain fed by several Kafka partitions of one table takes into one transaction.</summary>
public sealed class StreamRunsTests
{
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer"), Column("name", "text"));

    /// <summary>A chunk of <paramref name="count"/> inserts from <paramref name="stream"/>, covering through <paramref name="through"/>.</summary>
    private static ChangeBatch Chunk(string stream, int firstId, int count, ulong through)
    {
        var builder = new ChangeBatchBuilder(s_items, firstLsn: through - (ulong)count + 1);
        for (var i = 0; i < count; i++)
        {
            builder.Insert((firstId + i).ToString(CultureInfo.InvariantCulture), stream);
        }

        return builder.Build(new Position(through, 0)) with { Stream = stream };
    }

    [Fact]
    public void Interleaved_chunks_of_two_partitions_become_one_run_per_partition_each_in_its_own_order()
    {
        var p0a = Chunk("kafka:t/0", 0, 3, 3);
        var p1a = Chunk("kafka:t/1", 100, 2, 2);
        var p0b = Chunk("kafka:t/0", 3, 4, 7);
        var p1b = Chunk("kafka:t/1", 102, 1, 3);

        var runs = new StreamRuns(p0a, StreamRuns.Weight(p0a));
        foreach (var next in new[] { p1a, p0b, p1b })
        {
            runs.Accepts(next, SinkGrain.MaxBatchChanges).ShouldBeTrue();
            runs.Add(next);
        }

        var batches = runs.Batches();
        batches.Count.ShouldBe(2);
        batches[0].Batch.Stream.ShouldBe("kafka:t/0");
        batches[0].Batch.Changes.ShouldBe([.. p0a.Changes, .. p0b.Changes]);
        batches[0].Batch.Through.ShouldBe(p0b.Through);
        batches[0].Taken.ShouldBe(7);
        batches[1].Batch.Stream.ShouldBe("kafka:t/1");
        batches[1].Batch.Changes.ShouldBe([.. p1a.Changes, .. p1b.Changes]);
        batches[1].Batch.Through.ShouldBe(p1b.Through);
        batches[1].Taken.ShouldBe(3);
        runs.Taken.ShouldBe(10);
        runs.Changes.ShouldBe(10);
        batches.ShouldAllBe(b => b.Batch.Table == s_items.Table);
    }

    [Fact]
    public void The_first_batch_is_not_changed_by_what_joins_its_stream()
    {
        var first = Chunk("kafka:t/0", 0, 2, 2);
        var runs = new StreamRuns(first, StreamRuns.Weight(first));
        runs.Add(Chunk("kafka:t/1", 10, 1, 1));
        runs.Add(Chunk("kafka:t/0", 2, 2, 4));

        runs.Batches()[0].Batch.Changes.Count.ShouldBe(4);
        first.Changes.Count.ShouldBe(2);
        first.Through.ShouldBe(new Position(2, 0));
    }

    [Fact]
    public void A_batch_joins_only_while_the_total_stays_within_the_limit()
    {
        var first = Chunk("kafka:t/0", 0, 6, 6);
        var runs = new StreamRuns(first, StreamRuns.Weight(first));

        runs.Accepts(Chunk("kafka:t/1", 100, 4, 4), maxChanges: 10).ShouldBeTrue();
        runs.Accepts(Chunk("kafka:t/1", 100, 5, 5), maxChanges: 10).ShouldBeFalse();
    }

    [Fact]
    public void Only_streamed_changes_join_not_a_batch_without_a_stream_nor_the_end_of_a_snapshot()
    {
        var first = Chunk("kafka:t/0", 0, 1, 1);
        var runs = new StreamRuns(first, StreamRuns.Weight(first));

        runs.Accepts(Chunk("kafka:t/1", 10, 1, 1) with { Stream = null }, SinkGrain.MaxBatchChanges).ShouldBeFalse();
        runs.Accepts(new ChangeBatch(s_items.Table, [], new Position(5, 0)) { Stream = "kafka:t/1", EndsSnapshot = true }, SinkGrain.MaxBatchChanges).ShouldBeFalse();
        runs.Accepts(Chunk("kafka:t/1", 10, 1, 1), SinkGrain.MaxBatchChanges).ShouldBeTrue();
    }
}
