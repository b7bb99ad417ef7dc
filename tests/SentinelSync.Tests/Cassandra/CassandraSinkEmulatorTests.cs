using SentinelSync.Replication;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// The whole sink (session, DDL, prepared statements, per-partition batches, conditional offset writes) over real TCP
/// against <see cref="CassandraEmulator"/>: proof that its statements, bound values and lightweight transactions fit
/// together. Cassandra's own behaviour is for the integration tests with a live node.
/// </summary>
public sealed class CassandraSinkEmulatorTests
{
    private const string Sink = "wide";

    [Fact]
    public async Task A_batch_is_written_with_growing_timestamps_and_a_replay_is_skipped_by_the_stored_position()
    {
        await using var emulator = new CassandraEmulator("shop");
        await using var sink = new CassandraSink(Options(emulator));
        var schema = Table("items", 1, Key("id", "bigint"), Column("name", "text"), Column("note", "text"), Column("at", "timestamp with time zone"));
        var batch = new ChangeBatchBuilder(schema, 0x10000)
            .Insert("1", "one", "big note", "2024-01-01 00:00:00.000001+00").Insert("2", "two", "n2", null).Insert("3", "three", null, null)
            .Update("1", "uno", ColumnValue.Unchanged, ColumnValue.Unchanged).Delete("2").Update("3", "tres", "n3", null).Build();

        (await sink.ApplyAsync(batch, Sink, epoch: 1)).ShouldBe(batch.Through);
        var written = emulator.Timestamps.Count;
        (await sink.ApplyAsync(batch, Sink, epoch: 1)).ShouldBe(batch.Through);

        emulator.Timestamps.Count.ShouldBe(written, "every change of the replayed batch is at or below the stored position");
        emulator.Timestamps.Order().Distinct().Count().ShouldBe(6, "one distinct timestamp per change");
        emulator.Timestamps.Min().ShouldBeGreaterThanOrEqualTo(0x10000L, "the commit LSN is the floor");
        emulator.Batches.ShouldBeGreaterThan(0, "changes of one partition share an unlogged batch");
        var rows = emulator.Rows("items").OrderBy(r => (long)r["id"]!).Select(r => $"{r["id"]}|{r["name"]}|{r.GetValueOrDefault("note") ?? "NULL"}|{r.GetValueOrDefault("at__micros") ?? "NULL"}");
        rows.ShouldBe(["1|uno|big note|1704067200000001", "3|tres|n3|NULL"]);
        var offset = (await sink.ReadOffsetAsync(Sink, schema.Table)).ShouldNotBeNull();
        (offset.Position, offset.Epoch).ShouldBe((batch.Through, 1L));
        offset.ReservedTimestamp.ShouldBe(emulator.Timestamps.Max());
    }

    [Fact]
    public async Task An_older_epoch_is_fenced_before_it_writes()
    {
        await using var emulator = new CassandraEmulator("shop");
        await using var sink = new CassandraSink(Options(emulator));
        var schema = Table("items", 1, Key("id", "integer"), Column("v", "text"));
        await sink.ApplyAsync(new ChangeBatchBuilder(schema, 0x20000).Insert("1", "new").Build(), Sink, epoch: 2);
        var written = emulator.Timestamps.Count;

        var fenced = await Should.ThrowAsync<SinkFencedException>(() => sink.ApplyAsync(new ChangeBatchBuilder(schema, 0x30000).Update("1", "stale").Build(), Sink, epoch: 1));

        (fenced.Epoch, fenced.CurrentEpoch).ShouldBe((1L, 2L));
        emulator.Timestamps.Count.ShouldBe(written);
        emulator.Rows("items").Single()["v"].ShouldBe("new");
        sink.IsTransient(fenced).ShouldBeFalse();
    }

    [Fact]
    public async Task Truncate_added_columns_and_a_key_move_with_unchanged_toast_follow_the_source()
    {
        await using var emulator = new CassandraEmulator("shop");
        await using var sink = new CassandraSink(Options(emulator));
        var v1 = Table("items", 1, Key("id", "integer"), Column("big", "text"));
        var v2 = Table("items", 2, Key("id", "integer"), Column("big", "text"), Column("price", "numeric(12,2)"));
        var batch = new ChangeBatchBuilder(v1, 0x40000).Insert("1", "gone").Truncate().Insert("2", "toasted")
            .UpdateKey(["2"], "3", ColumnValue.Unchanged).WithSchema(v2).Insert("4", "x", "1.50").Build();

        await sink.ApplyAsync(batch, Sink, epoch: 1);

        var rows = emulator.Rows("items").OrderBy(r => (int)r["id"]!).Select(r => $"{r["id"]}|{r["big"]}|{r.GetValueOrDefault("price")?.ToString() ?? "NULL"}");
        rows.ShouldBe(["3|toasted|NULL", "4|x|1.50"]);
    }

    [Fact]
    public async Task A_configured_split_creates_a_clustered_table_and_writes_one_partitions_rows_in_one_batch()
    {
        await using var emulator = new CassandraEmulator("shop");
        var options = Options(emulator);
        options.Tables["public.orders"] = new CassandraTableOptions { PartitionKey = ["customer_id"], ClusteringKey = ["order_id"] };
        await using var sink = new CassandraSink(options);
        var schema = Table("orders", 1, Key("order_id", "bigint"), Key("customer_id", "integer"), Column("total", "numeric"));
        var batch = new ChangeBatchBuilder(schema, 0x50000).Insert("1", "7", "10").Insert("2", "7", "20").Insert("3", "7", "30").Delete("2", "7").Build();

        await sink.ApplyAsync(batch, Sink, epoch: 1);

        emulator.Batches.ShouldBe(1, "four writes to customer 7's partition go out as one unlogged batch");
        var (partition, clustering) = emulator.KeyOf("orders");
        partition.ShouldBe(["customer_id"]);
        clustering.ShouldBe(["order_id"]);
        emulator.Rows("orders").Select(r => $"{r["customer_id"]}/{r["order_id"]}/{r["total"]}").Order().ShouldBe(["7/1/10", "7/3/30"]);
    }

    [Fact]
    public async Task An_existing_table_with_another_key_stops_the_table_with_both_keys_named()
    {
        await using var emulator = new CassandraEmulator("shop");
        var schema = Table("orders", 1, Key("order_id", "bigint"), Key("customer_id", "integer"), Column("total", "numeric"));
        await using (var unsplit = new CassandraSink(Options(emulator)))
        {
            await unsplit.ApplyAsync(new ChangeBatchBuilder(schema, 0x60000).Insert("1", "7", "10").Build(), Sink, epoch: 1);
        }

        var options = Options(emulator);
        options.Tables["public.orders"] = new CassandraTableOptions { PartitionKey = ["customer_id"], ClusteringKey = ["order_id"] };
        await using var sink = new CassandraSink(options);

        var error = await Should.ThrowAsync<CassandraKeySplitException>(() => sink.ApplyAsync(new ChangeBatchBuilder(schema, 0x70000).Insert("2", "7", "20").Build(), "split", epoch: 1));

        error.Message.ShouldContain("exists with PRIMARY KEY ((order_id, customer_id))");
        error.Message.ShouldContain("configured as ((customer_id), order_id)");
        sink.IsTransient(error).ShouldBeTrue("an operator fixes the configuration; nothing is dead-lettered");
        emulator.Rows("orders").Count.ShouldBe(1);
    }

    private static CassandraSinkOptions Options(CassandraEmulator emulator) => new()
    {
        ContactPoints = [emulator.ContactPoint],
        LocalDatacenter = "dc1",
        Keyspace = "shop",
        Replication = "{'class': 'NetworkTopologyStrategy', 'dc1': 1}",
    };
}
