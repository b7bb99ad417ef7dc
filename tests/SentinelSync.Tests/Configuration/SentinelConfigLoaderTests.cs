using System.Collections;
using SentinelSync.Configuration;

namespace SentinelSync.Tests.Configuration;

public sealed class SentinelConfigLoaderTests : IDisposable
{
    private const string Valid = """
        controlDb: "Host=127.0.0.1;Port=5432;Database=sentinel;Username=postgres"
        silo: { name: silo-1, httpPort: 8080 }
        pipelines:
          - name: shop
            source:
              postgres:
                connection: "Host=127.0.0.1;Port=5432;Database=shop;Username=postgres;Password=${env:SHOP_PASSWORD}"
                publication: sentinel_shop
                slot: sentinel_shop
                tables: ["public.*"]
                snapshot: initial
            sinks:
              - name: warehouse
                postgres: { connection: "Host=127.0.0.1;Port=5432;Database=warehouse;Username=postgres", schema: public }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text, string name = "sentinel.yaml")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static IDictionary Env(params (string Key, string Value)[] variables) =>
        variables.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void The_documented_example_loads_with_secrets_from_the_environment()
    {
        var config = SentinelConfigLoader.Load(Write(Valid), Env(("SHOP_PASSWORD", "s3cret")));

        config.Silo.Name.ShouldBe("silo-1");
        config.Silo.HttpPort.ShouldBe(8080);
        var pipeline = config.Pipelines.ShouldHaveSingleItem();
        pipeline.Source!.Postgres!.Connection.ShouldEndWith("Password=s3cret");
        pipeline.Source.Postgres.Tables.ShouldBe(["public.*"]);
        pipeline.Sinks.ShouldHaveSingleItem().Postgres!.Schema.ShouldBe("public");
    }

    [Fact]
    public void A_reconcile_schedule_loads_with_its_mode_and_repair()
    {
        var config = SentinelConfigLoader.Load(
            Write(Valid.Replace("    sinks:", "    reconcile: { schedule: \"0 2 * * *\", mode: rows, repair: true }\n    sinks:", StringComparison.Ordinal)),
            Env(("SHOP_PASSWORD", "x")));

        var reconcile = config.Pipelines.ShouldHaveSingleItem().Reconcile.ShouldNotBeNull();
        reconcile.Mode.ShouldBe(SentinelSync.Replication.Reconcile.ReconcileMode.Rows);
        reconcile.Repair.ShouldBeTrue();
        reconcile.Cron!.GetNextOccurrence(new DateTime(2026, 1, 1, 3, 0, 0, DateTimeKind.Utc)).ShouldBe((DateTime?)new DateTime(2026, 1, 2, 2, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Environment_variables_override_keys_at_any_depth()
    {
        var config = SentinelConfigLoader.Load(Write(Valid), Env(
            ("SHOP_PASSWORD", "x"),
            ("SENTINEL__SILO__HTTPPORT", "9090"),
            ("SENTINEL__PIPELINES__0__SINKS__0__POSTGRES__SCHEMA", "replica")));

        config.Silo.HttpPort.ShouldBe(9090);
        config.Pipelines[0].Sinks[0].Postgres!.Schema.ShouldBe("replica");
    }

    [Fact]
    public void JSON_is_accepted_and_secrets_can_come_from_files()
    {
        var secret = Write("from-file\n", "password.txt");
        var json = Write($$"""
            {"controlDb": "Host=h;Username=u;Password=${file:{{secret}}}", "silo": {"name": "a"}, "pipelines": []}
            """, "sentinel.json");

        SentinelConfigLoader.Load(json, Env()).ControlDb.ShouldBe("Host=h;Username=u;Password=from-file");
    }

    [Theory]
    [InlineData("slot: sentinel_shop", "slot: \"\"", "pipelines[0].source.postgres.slot")]
    [InlineData("httpPort: 8080", "httpPort: 99999", "silo.httpPort")]
    [InlineData("httpPort: 8080", "httpPort: eighty", "silo.httpPort")]
    [InlineData("httpPort: 8080", "httpPort: 8080, siloPort: 8080", "silo.siloPort")]
    [InlineData("httpPort: 8080", "httpPort: 8080, gatewayPort: 8081", "silo.gatewayPort")]
    [InlineData("httpPort: 8080", "httpPort: 8080 }\ncluster: { probeTimeout: \"00:00:00\"", "cluster.probeTimeout")]
    [InlineData("httpPort: 8080", "httpPort: 8080 }\ncluster: { numMissedProbesLimit: 0", "cluster.numMissedProbesLimit")]
    [InlineData("httpPort: 8080", "httpPort: 8080 }\ncluster: { probeTimeOot: \"00:00:01\"", "cluster")]
    [InlineData("snapshot: initial", "snapshot: sometimes", "pipelines[0].source.postgres.snapshot")]
    [InlineData("schema: public", "schemaa: public", "pipelines[0].sinks[0].postgres")]
    [InlineData("tables: [\"public.*\"]", "tables: [\"orders\"]", "pipelines[0].source.postgres.tables[0]")]
    [InlineData("    sinks:", "    reconcile: { schedule: \"0 25 * * *\" }\n    sinks:", "pipelines[0].reconcile.schedule")]
    [InlineData("    sinks:", "    reconcile: { mode: checksum }\n    sinks:", "pipelines[0].reconcile.schedule")]
    [InlineData("    sinks:", "    reconcile: { schedule: \"0 2 * * *\", mode: count, repair: true }\n    sinks:", "pipelines[0].reconcile.repair")]
    public void A_bad_file_is_rejected_naming_the_file_and_the_key(string good, string bad, string key)
    {
        var file = Write(Valid.Replace(good, bad, StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env(("SHOP_PASSWORD", "x"))));

        error.File.ShouldBe(file);
        error.Key.ShouldBe(key);
        error.Message.ShouldStartWith($"{file}: {key}: ");
    }

    private const string ClickHouseSink = """
              - name: analytics
                clickhouse: { url: "http://127.0.0.1:8123", database: analytics, user: default, password: "${env:CH_PASSWORD}" }
        """;

    [Fact]
    public void A_clickhouse_sink_loads_beside_a_postgres_one_and_its_password_stays_out_of_ToString()
    {
        var config = SentinelConfigLoader.Load(Write(Valid + "\n" + ClickHouseSink), Env(("SHOP_PASSWORD", "x"), ("CH_PASSWORD", "hunter2")));

        var sinks = config.Pipelines.ShouldHaveSingleItem().Sinks;
        sinks.Count.ShouldBe(2);
        sinks[0].Postgres.ShouldNotBeNull();
        sinks[0].ClickHouse.ShouldBeNull();
        var clickHouse = sinks[1].ClickHouse.ShouldNotBeNull();
        sinks[1].Postgres.ShouldBeNull();
        clickHouse.Url.ShouldBe("http://127.0.0.1:8123");
        clickHouse.Database.ShouldBe("analytics");
        clickHouse.Password.ShouldBe("hunter2");
        clickHouse.CompressInserts.ShouldBeFalse();
        clickHouse.MinInsertInterval.ShouldBe(TimeSpan.FromMilliseconds(200), "a busy table's inserts are spaced unless configured");
        clickHouse.ToString().ShouldNotContain("hunter2");
    }

    [Theory]
    [InlineData("\"00:00:00\"", 0)]
    [InlineData("\"00:00:01.500\"", 1_500)]
    public void A_clickhouse_sink_takes_its_min_insert_interval(string value, int milliseconds)
    {
        var sink = ClickHouseSink.Replace("database: analytics,", $"database: analytics, minInsertInterval: {value},", StringComparison.Ordinal);

        var config = SentinelConfigLoader.Load(Write(Valid + "\n" + sink), Env(("SHOP_PASSWORD", "x"), ("CH_PASSWORD", "p")));

        config.Pipelines.ShouldHaveSingleItem().Sinks[1].ClickHouse.ShouldNotBeNull().MinInsertInterval.ShouldBe(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData("\"-00:00:01\"")]
    [InlineData("\"00:05:00\"")]
    public void A_min_insert_interval_below_zero_or_over_a_minute_is_rejected_naming_the_key(string value)
    {
        var file = Write(Valid + "\n" + ClickHouseSink.Replace("database: analytics,", $"database: analytics, minInsertInterval: {value},", StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env(("SHOP_PASSWORD", "x"), ("CH_PASSWORD", "p"))));

        error.Key.ShouldBe("pipelines[0].sinks[1].clickhouse.minInsertInterval");
        error.Message.ShouldContain("between 00:00:00 and 00:01:00");
    }

    private const string CassandraSink = """
              - name: wide
                cassandra: { contactPoints: ["10.0.0.5:9042", "10.0.0.6:9042"], localDatacenter: dc1, keyspace: shop, replication: "{'class': 'NetworkTopologyStrategy', 'dc1': 3}", consistency: LOCAL_QUORUM, username: sentinel, password: "${env:CASSANDRA_PASSWORD}", tls: { enabled: true } }
        """;

    [Fact]
    public void A_cassandra_sink_loads_with_the_keys_of_the_issue_and_its_password_stays_out_of_ToString()
    {
        var config = SentinelConfigLoader.Load(Write(Valid + "\n" + CassandraSink), Env(("SHOP_PASSWORD", "x"), ("CASSANDRA_PASSWORD", "hunter3")));

        var cassandra = config.Pipelines.ShouldHaveSingleItem().Sinks[1].Cassandra.ShouldNotBeNull();
        cassandra.ContactPoints.ShouldBe(["10.0.0.5:9042", "10.0.0.6:9042"]);
        (cassandra.LocalDatacenter, cassandra.Keyspace, cassandra.Username, cassandra.Password).ShouldBe(("dc1", "shop", "sentinel", "hunter3"));
        cassandra.ReplicationOrDefault.ShouldBe("{'class': 'NetworkTopologyStrategy', 'dc1': 3}");
        cassandra.ConsistencyLevel.ShouldBe(SentinelSync.Replication.Cassandra.Protocol.CqlConsistency.LocalQuorum);
        cassandra.Tls.Enabled.ShouldBeTrue();
        cassandra.ToString().ShouldNotContain("hunter3");
    }

    [Fact]
    public void A_cassandra_sink_takes_a_partition_and_clustering_split_per_source_table()
    {
        var sink = CassandraSink.Replace("tls: { enabled: true } }", "tls: { enabled: true }, tables: { public.orders: { partitionKey: [customer_id], clusteringKey: [order_id] } } }", StringComparison.Ordinal);

        var config = SentinelConfigLoader.Load(Write(Valid + "\n" + sink), Env(("SHOP_PASSWORD", "x"), ("CASSANDRA_PASSWORD", "hunter3")));

        var split = config.Pipelines.ShouldHaveSingleItem().Sinks[1].Cassandra.ShouldNotBeNull()
            .SplitOf(new SentinelSync.Replication.TableName("public", "orders")).ShouldNotBeNull();
        split.PartitionKey.ShouldBe(["customer_id"]);
        config.Pipelines[0].Sinks[1].Cassandra!.Compression.ShouldBe("none", "compression is off unless configured");
        split.ClusteringKey.ShouldBe(["order_id"]);
    }

    [Theory]
    [InlineData("tls: { enabled: true } }", "tls: { enabled: true }, tables: { orders: { partitionKey: [id] } } }", "pipelines[0].sinks[1].cassandra.tables.orders")]
    [InlineData("tls: { enabled: true } }", "tls: { enabled: true }, tables: { public.orders: { clusteringKey: [id] } } }", "pipelines[0].sinks[1].cassandra.tables.public.orders.partitionKey")]
    [InlineData("tls: { enabled: true } }", "tls: { enabled: true }, tables: { public.orders: { partitionKey: [id], clustering: [x] } } }", "pipelines[0].sinks[1].cassandra.tables.public.orders")]
    [InlineData("consistency: LOCAL_QUORUM", "consistency: LOCAL_QUORUM, compression: snappy", "pipelines[0].sinks[1].cassandra.compression")]
    [InlineData("consistency: LOCAL_QUORUM", "consistency: LOCAL_QUORUM, protocolVersion: 3", "pipelines[0].sinks[1].cassandra.protocolVersion")]
    [InlineData("contactPoints: [\"10.0.0.5:9042\", \"10.0.0.6:9042\"]", "contactPoints: []", "pipelines[0].sinks[1].cassandra.contactPoints")]
    [InlineData("localDatacenter: dc1, ", "", "pipelines[0].sinks[1].cassandra.localDatacenter")]
    [InlineData("keyspace: shop", "keyspace: \"shop-1\"", "pipelines[0].sinks[1].cassandra.keyspace")]
    [InlineData("consistency: LOCAL_QUORUM", "consistency: SERIAL", "pipelines[0].sinks[1].cassandra.consistency")]
    [InlineData("consistency: LOCAL_QUORUM", "consistancy: ONE", "pipelines[0].sinks[1].cassandra")]
    public void A_bad_cassandra_sink_is_rejected_naming_the_key(string good, string bad, string key)
    {
        var file = Write((Valid + "\n" + CassandraSink).Replace(good, bad, StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env(("SHOP_PASSWORD", "x"), ("CASSANDRA_PASSWORD", "hunter3"))));

        error.Key.ShouldBe(key);
        error.Message.ShouldNotContain("hunter3");
    }

    [Theory]
    [InlineData("url: \"http://127.0.0.1:8123\"", "url: \"ftp://u:hunter2@h\"", "pipelines[0].sinks[1].clickhouse.url")]
    [InlineData("database: analytics, ", "", "pipelines[0].sinks[1].clickhouse.database")]
    [InlineData("user: default", "usr: default", "pipelines[0].sinks[1].clickhouse")]
    [InlineData("clickhouse: {", "postgres: { connection: \"Host=h\" }\n        clickhouse: {", "pipelines[0].sinks[1]")]
    [InlineData("clickhouse: { url: \"http://127.0.0.1:8123\", database: analytics, user: default, password: \"${env:CH_PASSWORD}\" }", "", "pipelines[0].sinks[1]")]
    public void A_bad_clickhouse_sink_is_rejected_naming_its_key_without_the_password(string good, string bad, string key)
    {
        var file = Write((Valid + "\n" + ClickHouseSink).Replace(good, bad, StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env(("SHOP_PASSWORD", "x"), ("CH_PASSWORD", "hunter2"))));

        error.Key.ShouldBe(key);
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void A_missing_secret_variable_is_named()
    {
        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write(Valid), Env()));

        error.Key.ShouldBe("pipelines[0].source.postgres.connection");
        error.Problem.ShouldContain("SHOP_PASSWORD");
    }

    [Fact]
    public void Malformed_YAML_is_rejected_with_its_position()
    {
        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write("silo: { name: [unclosed"), Env()));

        error.Key.ShouldStartWith("line ");
        error.Problem.ShouldContain("not valid YAML");
    }
}
