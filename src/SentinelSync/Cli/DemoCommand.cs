using System.CommandLine;
using System.Diagnostics;
using Npgsql;
using SentinelSync.Configuration;
using SentinelSync.Demo;
using SentinelSync.Hosting;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel demo</c>: the live local demo on the servers <c>eng/setup.sh</c> starts. It needs nothing but
/// the machine and stops cleanly on Ctrl-C. With <c>SENTINEL_DEMO_CASSANDRA</c> (a node's <c>host:port</c>; its
/// datacenter in <c>SENTINEL_DEMO_CASSANDRA_DC</c>, default datacenter1) the shop is also written to Cassandra.
/// </summary>
internal static class DemoCommand
{
    private const string SourceDatabase = "sentinel_demo_shop";
    private const string ControlDatabase = "sentinel_demo";
    private const string Slot = "sentinel_demo";
    private const string WarehouseDatabase = "sentinel_demo_warehouse";
    private const string KafkaWarehouseDatabase = "sentinel_demo_kafka_warehouse";

    public static Command Create()
    {
        var server = new Option<string>("--postgres")
        {
            Description = "The local source Postgres (started by eng/setup.sh).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENTINEL_DEMO_POSTGRES") ?? "Host=127.0.0.1;Port=5433;Username=postgres",
        };
        var destination = new Option<string>("--destination")
        {
            Description = "The local destination Postgres (started by eng/setup.sh).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SENTINEL_DEMO_DESTINATION") ?? "Host=127.0.0.1;Port=5434;Username=postgres",
        };
        var port = new Option<int>("--port") { Description = "The silo's HTTP port.", DefaultValueFactory = _ => 8080 };
        var kafka = new Option<bool>("--kafka")
        {
            Description = "Also run the Kafka loop: postgres → kafka (Debezium events; librdkafka's mock cluster, run in this process) → a second warehouse.",
        };
        var command = new Command("demo", "Run the live local demo: a shop database under load, replicated by one silo.") { server, destination, port, kafka };
        command.SetAction((parse, cancellation) => RunAsync(parse.GetValue(server)!, parse.GetValue(destination)!, parse.GetValue(port), parse.GetValue(kafka), cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string server, string destination, int port, bool withKafka, CancellationToken cancellation)
    {
        try
        {
            // A fresh start every time: the demo's databases, its slot and its control state are recreated.
            await RecreateDatabaseAsync(server, SourceDatabase, cancellation);
            await RecreateDatabaseAsync(server, ControlDatabase, cancellation);
            await RecreateDatabaseAsync(destination, WarehouseDatabase, cancellation);
            if (withKafka)
            {
                await RecreateDatabaseAsync(destination, KafkaWarehouseDatabase, cancellation);
            }
        }
        catch (NpgsqlException e)
        {
            await Console.Error.WriteLineAsync($"sentinel demo: cannot reach the local Postgres at {Masked(server)} ({e.Message}). Run `bash eng/demo.sh`, which starts it.");
            return 1;
        }

        await using var shopData = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server) { Database = SourceDatabase }.ConnectionString);
        var shop = new DemoShop(shopData);
        await shop.CreateSchemaAsync(cancellation);

        var warehouse = new NpgsqlConnectionStringBuilder(destination) { Database = WarehouseDatabase }.ConnectionString;
        using var kafka = withKafka ? new DemoKafka() : null;
        var kafkaWarehouse = new NpgsqlConnectionStringBuilder(destination) { Database = KafkaWarehouseDatabase }.ConnectionString;
        DemoCassandra? cassandra;
        try
        {
            cassandra = await StartCassandraAsync(cancellation);
        }
        catch (IOException e)
        {
            // CqlConnectionException and CqlProtocolException are IOExceptions: no node, or not one we can speak to.
            await Console.Error.WriteLineAsync($"sentinel demo: cannot use Cassandra at {Environment.GetEnvironmentVariable("SENTINEL_DEMO_CASSANDRA")} ({e.Message}). Unset SENTINEL_DEMO_CASSANDRA to run without it.");
            return 1;
        }

        await using var cassandraLeg = cassandra;
        SinkConfig[] sinks =
        [
            new SinkConfig { Name = "warehouse", Postgres = new PostgresSinkOptions { Connection = warehouse } },
            .. kafka is null ? [] : new[] { kafka.Sink },
            .. cassandra is null ? [] : new[] { cassandra.Sink },
        ];
        var config = new SentinelConfig
        {
            ControlDb = new NpgsqlConnectionStringBuilder(server) { Database = ControlDatabase }.ConnectionString,
            Silo = new SiloConfig { Name = "demo-silo", HttpPort = port },
            Pipelines =
            [
                new PipelineConfig
                {
                    Name = "shop",
                    Source = new SourceConfig
                    {
                        Postgres = new PostgresSourceOptions
                        {
                            Connection = shopData.ConnectionString,
                            Publication = "sentinel_demo",
                            Slot = Slot,
                            Tables = ["public.*"],
                        },
                    },
                    Sinks = [.. sinks],
                },
                .. kafka is null ? [] : new[] { kafka.Pipeline(kafkaWarehouse) },
            ],
        };
        await using var app = SiloHost.Build(config);
        await app.StartAsync(cancellation);
        await using var warehouseData = NpgsqlDataSource.Create(warehouse);
        var replica = new DemoShop(warehouseData);
        await using var kafkaWarehouseData = NpgsqlDataSource.Create(kafkaWarehouse);
        var kafkaReplica = new DemoShop(kafkaWarehouseData);

        Console.WriteLine($"SentinelSync demo: silo 'demo-silo' at http://127.0.0.1:{port} (dashboard: /dashboard, metrics: /metrics, health: /healthz)");
        Console.WriteLine($"Replicating {SourceDatabase} ({Masked(server)}) to {WarehouseDatabase} ({Masked(destination)}) while orders are placed. Ctrl-C stops.");
        if (kafka is not null)
        {
            Console.WriteLine($"And through Kafka: the shop's changes go to a mock Kafka cluster at {kafka.BootstrapServers} as Debezium events (topics {DemoKafka.TopicPrefix}.public.<table>; try any Kafka consumer on them),");
            Console.WriteLine($"and pipeline '{DemoKafka.PipelineName}' reads them back into {KafkaWarehouseDatabase}: postgres → kafka → warehouse.");
        }

        if (cassandra is not null)
        {
            Console.WriteLine($"Also to Cassandra at {cassandra.ContactPoint}: keyspace {DemoCassandra.Keyspace} (try cqlsh: SELECT * FROM {DemoCassandra.Keyspace}.orders LIMIT 5).");
        }

        try
        {
            var lastReport = DateTime.UtcNow;
            while (!cancellation.IsCancellationRequested)
            {
                await shop.TickAsync(cancellation);
                if (DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(2))
                {
                    var events = kafka is null ? "" : $", kafka events in {kafka.OrdersTopic}: {kafka.CountOrderEvents()?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, warehouse via kafka {await kafkaReplica.TryCountOrdersAsync(cancellation)}";
                    var wide = cassandra is null ? "" : $", cassandra {(await cassandra.CountOrdersAsync(cancellation))?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";
                    Console.WriteLine($"{DateTime.Now:HH:mm:ss} orders: source {await shop.CountOrdersAsync(cancellation)}, warehouse {await replica.TryCountOrdersAsync(cancellation)}{events}{wide}");
                    lastReport = DateTime.UtcNow;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellation);
            }
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine("Stopping: the silo drains and exits.");
        await app.StopAsync(CancellationToken.None);
        // The next demo recreates everything, so a slot left behind would only hold the server's WAL until then.
        Console.WriteLine(await DropSlotAsync(server)
            ? $"Replication slot {Slot} removed (it would hold the server's WAL until the next demo); the databases stay for a look."
            : $"Replication slot {Slot} could not be removed; drop it with SELECT pg_drop_replication_slot('{Slot}') so that it holds no WAL.");
        return 0;
    }

    /// <summary>
    /// Drops the demo's slot once its walsender has gone (it ends just after the silo stops): true when none is left,
    /// false if it stayed in use for 10 s or the server could not be asked.
    /// </summary>
    private static async Task<bool> DropSlotAsync(string server)
    {
        try
        {
            await using var admin = await OpenAdminAsync(server, CancellationToken.None);
            await using var drop = new NpgsqlCommand(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = @slot AND NOT active", admin);
            drop.Parameters.AddWithValue("slot", Slot);
            await using var left = new NpgsqlCommand("SELECT count(*) FROM pg_replication_slots WHERE slot_name = @slot", admin);
            left.Parameters.AddWithValue("slot", Slot);
            var waited = Stopwatch.StartNew();
            while (true)
            {
                await drop.ExecuteNonQueryAsync();
                if ((long)(await left.ExecuteScalarAsync())! == 0)
                {
                    return true;
                }

                if (waited.Elapsed > TimeSpan.FromSeconds(10))
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>The Cassandra leg when SENTINEL_DEMO_CASSANDRA is set, else null.</summary>
    private static async Task<DemoCassandra?> StartCassandraAsync(CancellationToken cancellation)
    {
        var contactPoint = Environment.GetEnvironmentVariable("SENTINEL_DEMO_CASSANDRA");
        if (string.IsNullOrWhiteSpace(contactPoint))
        {
            return null;
        }

        var datacenter = Environment.GetEnvironmentVariable("SENTINEL_DEMO_CASSANDRA_DC") is { Length: > 0 } dc ? dc : "datacenter1";
        return await DemoCassandra.StartAsync(contactPoint, datacenter, cancellation);
    }

    private static async Task RecreateDatabaseAsync(string server, string database, CancellationToken cancellation)
    {
        await using var admin = await OpenAdminAsync(server, cancellation);
        await using (var slots = new NpgsqlCommand("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = @db AND NOT active", admin))
        {
            slots.Parameters.AddWithValue("db", database);
            await slots.ExecuteNonQueryAsync(cancellation);
        }

        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync(cancellation);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
        await create.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task CreateDatabaseIfMissingAsync(string server, string database, CancellationToken cancellation)
    {
        await using var admin = await OpenAdminAsync(server, cancellation);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @db", admin);
        exists.Parameters.AddWithValue("db", database);
        if (await exists.ExecuteScalarAsync(cancellation) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync(cancellation);
        }
    }

    private static async Task<NpgsqlConnection> OpenAdminAsync(string server, CancellationToken cancellation)
    {
        var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync(cancellation);
        return admin;
    }

    private static string Masked(string connection) =>
        new NpgsqlConnectionStringBuilder(connection) { Password = null }.ConnectionString;
}
