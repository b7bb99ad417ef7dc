using SentinelSync.Replication;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Pipelines;

public sealed class TableQueueTests
{
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer"), Column("name", "text"));

    [Fact]
    public void Consecutive_streamed_batches_become_one_in_order_covering_through_the_last()
    {
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a").Update("1", "b").Insert("2", "c").Delete("1");
        var queue = new TableQueue(s_items.Table, merge: true);
        var transactionEnd = new Position(0x2000, 7);
        queue.Add(builder.Build(0, 1));
        queue.Add(builder.Build(1, 2));
        queue.Add(builder.Build(3, 1) with { Through = transactionEnd });

        var taken = queue.Take();

        taken.Count.ShouldBe(1);
        taken[0].Changes.ShouldBe(builder.Changes);
        taken[0].Through.ShouldBe(transactionEnd);
        taken[0].Table.ShouldBe(s_items.Table);
        queue.Take().ShouldBeEmpty();
    }

    [Fact]
    public void A_merged_batch_stops_at_the_sinks_transaction_limit_and_never_splits_a_batch()
    {
        var builder = new ChangeBatchBuilder(s_items);
        for (var i = 0; i < SinkGrain.MaxBatchChanges + 10; i++)
        {
            builder.Insert(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "x");
        }

        var queue = new TableQueue(s_items.Table, merge: true);
        queue.Add(builder.Build(0, SinkGrain.MaxBatchChanges - 5));
        queue.Add(builder.Build(SinkGrain.MaxBatchChanges - 5, 15));

        var taken = queue.Take();

        taken.Select(b => b.Count).ShouldBe([SinkGrain.MaxBatchChanges - 5, 15]);
        taken.SelectMany(b => b.Changes).ShouldBe(builder.Changes);
    }

    [Fact]
    public void Traced_batches_and_a_queue_told_not_to_merge_keep_every_batch_as_it_came()
    {
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a").Insert("2", "b").Insert("3", "c");
        var traced = new TableQueue(s_items.Table, merge: true);
        var first = builder.Build(0, 1) with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        traced.Add(first);
        traced.Add(builder.Build(1, 1));
        traced.Add(builder.Build(2, 1));
        var plain = new TableQueue(s_items.Table, merge: false);
        var batches = new[] { builder.Build(0, 1), builder.Build(1, 1), builder.Build(2, 1) };
        foreach (var batch in batches)
        {
            plain.Add(batch);
        }

        var fromTraced = traced.Take();
        fromTraced.Count.ShouldBe(2);
        fromTraced[0].ShouldBeSameAs(first);
        fromTraced[1].Changes.ShouldBe(builder.Changes.Skip(1));
        plain.Take().ShouldBe(batches);
    }
}
