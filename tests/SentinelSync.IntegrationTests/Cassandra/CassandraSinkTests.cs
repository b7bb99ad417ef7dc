using System.Numerics;
using System.Runtime.CompilerServices;
using SentinelSync.Replication;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Cassandra;

/// <summary>
/// The Cassandra sink against a real node (<see cref="TestServers.CassandraVariable"/>; skipped without one): writes,
/// unchanged TOAST, deletes, truncate, replay without effect, fencing, every mapped type.
/// </summary>
public sealed class CassandraSinkTests
{
    private const string Sink = "wide";

    [CassandraFact]
    public async Task Inserts_updates_with_unchanged_toast_deletes_and_a_replay_converge_exactly()
    {
        await using var target = await CassandraTarget.ConnectAsync(KeyspaceName());
        await using var sink = new CassandraSink(target.SinkOptions());
        var schema = Table("items", 1, Key("id", "bigint"), Column("name", "text"), Column("note", "text"));
        var builder = new ChangeBatchBuilder(schema, 0x10000)
            .Insert("1", "one", "big note").Insert("2", "two", "n2").Insert("3", "three", null)
            .Update("1", "uno", ColumnValue.Unchanged).Delete("2").Update("3", "tres", "n3");
        var batch = builder.Build();

        var applied = await sink.ApplyAsync(batch, Sink, epoch: 1);
        var replayed = await sink.ApplyAsync(batch, Sink, epoch: 1);

        applied.ShouldBe(batch.Through);
        replayed.ShouldBe(batch.Through);
        var rows = (await target.RowsAsync("items", "id", "name", "note")).OrderBy(r => (long)r[0]!).Select(r => $"{r[0]}|{r[1]}|{r[2] ?? "NULL"}");
        rows.ShouldBe(["1|uno|big note", "3|tres|n3"]);
        (await sink.ReadOffsetAsync(Sink, schema.Table)).ShouldNotBeNull().Position.ShouldBe(batch.Through);
    }

    [CassandraFact]
    public async Task A_configured_split_clusters_a_partitions_rows_over_lz4_and_deletes_by_the_whole_key()
    {
        await using var target = await CassandraTarget.ConnectAsync(KeyspaceName());
        var options = target.SinkOptions();
        options.Compression = "lz4";
        options.Tables["public.orders"] = new CassandraTableOptions { PartitionKey = ["customer_id"], ClusteringKey = ["order_id"] };
        await using var sink = new CassandraSink(options);
        var schema = Table("orders", 1, Key("order_id", "bigint"), Key("customer_id", "integer"), Column("total", "numeric"));
        var batch = new ChangeBatchBuilder(schema, 0x20000).Insert("1", "7", "10").Insert("2", "7", "20").Insert("3", "8", "30").Delete("2", "7").Build();

        await sink.ApplyAsync(batch, Sink, epoch: 1);

        var rows = (await target.RowsAsync("orders", "customer_id", "order_id", "total")).Select(r => $"{r[0]}/{r[1]}/{r[2]}").Order();
        rows.ShouldBe(["7/1/10", "8/3/30"]);
        var key = await target.Session.QueryAsync(
            $"SELECT column_name, kind FROM system_schema.columns WHERE keyspace_name = '{target.Keyspace}' AND table_name = 'orders'");
        ((SentinelSync.Replication.Cassandra.Protocol.Responses.RowsResult)key).Rows.Where(r => (string)r[1]! != "regular").Select(r => $"{r[0]}:{r[1]}").Order()
            .ShouldBe(["customer_id:partition_key", "order_id:clustering"]);
    }

    [CassandraFact]
    public async Task A_stale_epoch_is_fenced_before_writing_and_a_stale_write_never_overwrites_a_newer_value()
    {
        await using var target = await CassandraTarget.ConnectAsync(KeyspaceName());
        await using var sink = new CassandraSink(target.SinkOptions());
        var schema = Table("items", 1, Key("id", "integer"), Column("v", "text"));
        var builder = new ChangeBatchBuilder(schema, 0x20000);
        var first = builder.Insert("1", "old").Build();
        await sink.ApplyAsync(first, Sink, epoch: 1);
        var second = new ChangeBatchBuilder(schema, 0x30000).Update("1", "new").Build();
        await sink.ApplyAsync(second, Sink, epoch: 2);

        await Should.ThrowAsync<SinkFencedException>(() => sink.ApplyAsync(new ChangeBatchBuilder(schema, 0x40000).Update("1", "stale").Build(), Sink, epoch: 1));
        await sink.ReplayAsync(first, Sink, epoch: 2);

        (await target.RowsAsync("items", "v")).Single()[0].ShouldBe("old", "a dead-letter replay lands on top, as the Postgres sink's does");
    }

    [CassandraFact]
    public async Task Truncate_and_added_columns_follow_the_source()
    {
        await using var target = await CassandraTarget.ConnectAsync(KeyspaceName());
        await using var sink = new CassandraSink(target.SinkOptions());
        var v1 = Table("items", 1, Key("id", "integer"), Column("v", "text"));
        var v2 = Table("items", 2, Key("id", "integer"), Column("v", "text"), Column("added", "numeric"));
        var batch = new ChangeBatchBuilder(v1, 0x50000).Insert("1", "a").Insert("2", "b").Truncate().Insert("3", "c")
            .WithSchema(v2).Insert("4", "d", "1.50").Build();

        await sink.ApplyAsync(batch, Sink, epoch: 1);

        var rows = (await target.RowsAsync("items", "id", "v", "added")).OrderBy(r => (int)r[0]!).Select(r => $"{r[0]}|{r[1]}|{r[2]?.ToString() ?? "NULL"}");
        rows.ShouldBe(["3|c|NULL", "4|d|1.50"]);
    }

    [CassandraFact]
    public async Task Every_mapped_type_round_trips()
    {
        await using var target = await CassandraTarget.ConnectAsync(KeyspaceName());
        await using var sink = new CassandraSink(target.SinkOptions());
        var schema = Table("types", 1, Key("id", "integer"), Column("n", "numeric"), Column("ts", "timestamp with time zone"), Column("d", "date"),
            Column("t", "time without time zone"), Column("b", "bytea"), Column("u", "uuid"), Column("a", "bigint[]"), Column("j", "jsonb"),
            Column("f", "double precision"), Column("r", "real"), Column("s", "smallint"), Column("ok", "boolean"));
        var batch = new ChangeBatchBuilder(schema, 0x60000).Insert("1", "-123456789012345678901234567890.000001", "2024-02-29 13:45:30.123456+00",
            "1900-01-01", "23:59:59.999999", "\\x00ff", "550e8400-e29b-41d4-a716-446655440000", "{1,-2,3}", "{\"a\": 1}", "1e-300", "1.5", "-32768", "f").Build();

        await sink.ApplyAsync(batch, Sink, epoch: 1);

        var row = (await target.RowsAsync("types", "n", "ts", "ts__micros", "d", "t", "b", "u", "a", "j", "f", "r", "s", "ok")).Single();
        row.ShouldBe([
            new CqlDecimal(BigInteger.Parse("-123456789012345678901234567890000001"), 6), new DateTimeOffset(2024, 2, 29, 13, 45, 30, 123, TimeSpan.Zero),
            1_709_214_330_123_456L, new DateOnly(1900, 1, 1), new CqlTime(86_399_999_999_000), new byte[] { 0, 255 },
            Guid.Parse("550e8400-e29b-41d4-a716-446655440000"), new List<object?> { 1L, -2L, 3L }, "{\"a\": 1}", 1e-300, 1.5f, (short)-32768, false]);
    }

    private static string KeyspaceName([CallerMemberName] string test = "")
    {
        var name = "it_" + new string(test.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return name.Length <= 48 ? name : name[..48];
    }
}
