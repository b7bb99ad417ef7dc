using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Infrastructure;

/// <summary>The Postgres clusters eng/setup.sh starts, and the database fixture over them.</summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task Source_has_logical_wal_level()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);

        (await database.ScalarAsync<string>("SHOW wal_level")).ShouldBe("logical");
        (await database.ScalarAsync<string>("SELECT current_database()")).ShouldBe(database.Name);
    }

    [Fact]
    public async Task A_table_round_trips_a_row()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL)");

        (await database.ExecuteAsync("INSERT INTO items (id, name) VALUES ($1, $2)", 42L, "answer")).ShouldBe(1);

        (await database.ScalarAsync<string>("SELECT name FROM items WHERE id = $1", 42L)).ShouldBe("answer");
    }

    [Fact]
    public async Task Destination_is_a_separate_server()
    {
        await using var source = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await using var destination = await PostgresDatabase.CreateAsync(TestServers.PostgresDestination);

        var sourcePort = await source.ScalarAsync<int>("SELECT inet_server_port()");
        var destinationPort = await destination.ScalarAsync<int>("SELECT inet_server_port()");
        var sourceSystem = await source.ScalarAsync<long>("SELECT system_identifier FROM pg_control_system()");
        var destinationSystem = await destination.ScalarAsync<long>("SELECT system_identifier FROM pg_control_system()");

        destinationPort.ShouldNotBe(sourcePort);
        destinationSystem.ShouldNotBe(sourceSystem, "source and destination must be different clusters, not two ports of one");
    }

    [Fact]
    public async Task Dispose_drops_the_database_and_its_replication_slots()
    {
        var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ScalarAsync<string>("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')", database.Name + "_slot");

        await database.DisposeAsync();

        await using var probe = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        (await probe.ScalarAsync<long>("SELECT count(*) FROM pg_database WHERE datname = $1", database.Name)).ShouldBe(0);
        (await probe.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE database = $1", database.Name)).ShouldBe(0);
    }
}
