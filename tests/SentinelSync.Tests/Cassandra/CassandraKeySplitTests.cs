using SentinelSync.Replication;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// A configured partition/clustering split (<c>cassandra.tables."schema.table"</c>): the DDL and statements it gives,
/// its check against the source primary key and the existing table, per-partition batching, and the routing key of a
/// compound partition key against the one the Node.js driver composes.
/// </summary>
public sealed class CassandraKeySplitTests
{
    private static readonly TableSchema _orders = Table("orders", 1,
        Key("customer_id", "integer"), Key("order_id", "bigint"), Key("region", "text"), Column("amount", "numeric"));

    private static readonly CassandraTableOptions _split = new() { PartitionKey = ["region", "customer_id"], ClusteringKey = ["order_id"] };

    [Fact]
    public void Create_table_puts_the_partition_key_in_its_own_parentheses_and_the_clustering_columns_after_it()
    {
        var table = new CassandraTable("shop", _orders, _split);

        CassandraStatements.CreateTable(table).ShouldBe(
            "CREATE TABLE IF NOT EXISTS \"shop\".\"orders\" (\"customer_id\" int, \"order_id\" bigint, \"region\" text, \"amount\" decimal, "
            + "PRIMARY KEY ((\"region\", \"customer_id\"), \"order_id\"))");
        CassandraStatements.Delete(table).ShouldBe("DELETE FROM \"shop\".\"orders\" USING TIMESTAMP ? WHERE \"region\" = ? AND \"customer_id\" = ? AND \"order_id\" = ?");
        CassandraStatements.SelectRow(table).ShouldEndWith("WHERE \"region\" = ? AND \"customer_id\" = ? AND \"order_id\" = ?");
        CassandraStatements.CreateTable(new CassandraTable("shop", _orders)).ShouldEndWith("PRIMARY KEY ((\"customer_id\", \"order_id\", \"region\")))", Case.Sensitive, "without a split the whole key partitions");
    }

    [Fact]
    public void A_delete_binds_the_timestamp_then_the_key_in_partition_then_clustering_order()
    {
        var changes = new ChangeBatchBuilder(_orders, 0x9000).Delete("42", "7", "eu-west").Changes;

        var delete = CassandraWritePlan.Build("shop", changes, 0, new Dictionary<string, CassandraTableOptions> { ["public.orders"] = _split }).Writes.ShouldHaveSingleItem();

        delete.Kind.ShouldBe(CassandraWriteKind.Delete);
        delete.Values.Select((v, i) => CqlValueCodec.Decode(i switch { 0 => CqlType.Bigint, 1 => CqlType.Varchar, 2 => CqlType.Int, _ => CqlType.Bigint }, v.Bytes))
            .ShouldBe([0x9000L, "eu-west", 42, 7L]);
    }

    [Theory]
    [InlineData(new[] { "region" }, new[] { "order_id" }, "customer_id are in neither list")]
    [InlineData(new[] { "region", "customer_id" }, new[] { "order_id", "amount" }, "amount is not in the primary key")]
    [InlineData(new[] { "region", "customer_id", "order_id" }, new[] { "order_id" }, "order_id named twice")]
    [InlineData(new string[0], new[] { "region", "customer_id", "order_id" }, "partitionKey is empty")]
    public void A_split_that_is_not_exactly_the_primary_key_is_refused_naming_the_table_and_columns(string[] partition, string[] clustering, string problem)
    {
        var split = new CassandraTableOptions { PartitionKey = [.. partition], ClusteringKey = [.. clustering] };

        var error = Should.Throw<CassandraKeySplitException>(() => new CassandraTable("shop", _orders, split));

        error.Message.ShouldStartWith("cassandra.tables.public.orders: ");
        error.Message.ShouldContain("must name exactly the primary key of public.orders (customer_id, order_id, region)");
        error.Message.ShouldContain(problem);
        CassandraErrorClassifier.IsTransient(error).ShouldBeTrue("the configuration is at fault, not the data: the sink waits, nothing is dead-lettered");
    }

    [Fact]
    public void Rows_of_one_partition_share_a_batch_whose_routing_key_and_token_are_the_node_drivers()
    {
        var changes = new ChangeBatchBuilder(_orders).Insert("42", "7", "eu-west", "1.5").Insert("42", "8", "eu-west", "2").Insert("-1", "-9223372036854775808", "ünïcode ✓", "3").Changes;
        var reference = NodeDriverReference.Instance.Routing.Where(r => r.PartitionKey == "region,customer_id").OrderBy(r => r.Row).ToList();

        var writes = CassandraWritePlan.Build("shop", changes, 0, new Dictionary<string, CassandraTableOptions> { ["public.orders"] = _split }).Writes;

        writes.Select(w => w.Partition).ShouldBe(reference.Select(r => "orders/" + Convert.ToHexString(r.Key)));
        writes[0].Partition.ShouldBe(writes[1].Partition, "two orders of one customer and region are one partition");
        reference.Select(r => Murmur3Token.Of(r.Key)).ShouldBe(reference.Select(r => r.Token));
    }

    [Theory]
    [InlineData("customer_id")]
    [InlineData("customer_id,order_id,region")]
    public void The_routing_key_of_other_splits_is_the_node_drivers_too(string partitionKey)
    {
        var columns = partitionKey.Split(',');
        var split = new CassandraTableOptions { PartitionKey = [.. columns], ClusteringKey = [.. new[] { "customer_id", "order_id", "region" }.Except(columns)] };
        var changes = new ChangeBatchBuilder(_orders).Insert("42", "7", "eu-west", "1").Insert("42", "8", "eu-west", "1").Insert("-1", "-9223372036854775808", "ünïcode ✓", "1").Changes;
        var reference = NodeDriverReference.Instance.Routing.Where(r => r.PartitionKey == partitionKey).OrderBy(r => r.Row).ToList();

        var writes = CassandraWritePlan.Build("shop", changes, 0, new Dictionary<string, CassandraTableOptions> { ["public.orders"] = split }).Writes;

        writes.Select(w => w.Partition).ShouldBe(reference.Select(r => "orders/" + Convert.ToHexString(r.Key)));
    }

    [Theory]
    [InlineData("orders", "tables.orders", "not a source table as schema.table")]
    [InlineData("public.orders", "tables.public.orders.partitionKey", "needs at least one column")]
    public void A_bad_tables_entry_is_a_problem_naming_its_key(string table, string key, string problem)
    {
        var options = new CassandraSinkOptions
        {
            ContactPoints = ["127.0.0.1:9042"], LocalDatacenter = "dc1", Keyspace = "shop",
            Tables = { [table] = new CassandraTableOptions { ClusteringKey = ["order_id"], PartitionKey = table == "orders" ? ["customer_id"] : [] } },
        };

        var found = options.Validate("sinks[0].cassandra").ShouldHaveSingleItem();

        found.Key.ShouldBe("sinks[0].cassandra." + key);
        found.Problem.ShouldContain(problem);
    }

    [Fact]
    public void Twice_named_columns_are_a_problem_before_any_schema_is_known()
    {
        var split = new CassandraTableOptions { PartitionKey = ["a"], ClusteringKey = ["b", "a"] };

        split.Validate("t").ShouldHaveSingleItem().Problem.ShouldContain("names column 'a' twice");
    }
}
