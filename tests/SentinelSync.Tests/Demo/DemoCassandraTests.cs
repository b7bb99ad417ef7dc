using SentinelSync.Demo;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Tests.Cassandra;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Demo;

/// <summary>
/// The demo's Cassandra leg (SENTINEL_DEMO_CASSANDRA) against <see cref="CassandraEmulator"/>, not a real node (there is
/// none here): the sink it configures writes the shop's orders into its keyspace, and its count reads them back.
/// </summary>
public sealed class DemoCassandraTests
{
    [Fact]
    public async Task The_demo_sink_writes_orders_into_its_keyspace_and_the_count_follows()
    {
        await using var emulator = new CassandraEmulator(DemoCassandra.Keyspace);
        await using var demo = await DemoCassandra.StartAsync(emulator.ContactPoint, "dc1", CancellationToken.None);
        var options = demo.Sink.Cassandra.ShouldNotBeNull();
        (demo.Sink.Name, options.Keyspace, options.LocalDatacenter).ShouldBe(("wide", "sentinel_demo", "dc1"));
        (await demo.CountOrdersAsync(CancellationToken.None)).ShouldBeNull("before the sink created the table");

        await using var sink = new CassandraSink(options);
        var orders = Table("orders", 1, Key("id", "bigint"), Column("customer_id", "bigint"), Column("amount", "numeric(12,2)"));
        await sink.ApplyAsync(new ChangeBatchBuilder(orders, 0x1000).Insert("1", "7", "9.99").Insert("2", "7", "5.00").Insert("3", "8", "1.00").Delete("2").Build(), demo.Sink.Name!, epoch: 1);

        (await demo.CountOrdersAsync(CancellationToken.None)).ShouldBe(2L);
    }
}
