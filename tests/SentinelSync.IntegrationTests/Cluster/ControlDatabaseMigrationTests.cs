using Npgsql;
using SentinelSync.Replication.Cluster;
using SentinelSync.Testing;
using Shouldly;

namespace SentinelSync.IntegrationTests.Cluster;

/// <summary>
/// The control database's migrations on start: applied under the advisory lock, so that silos starting together do
/// not race, and skipped without the lock once every one is recorded (every restart but the first).
/// </summary>
public sealed class ControlDatabaseMigrationTests
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_fresh_database_waits_for_the_migration_lock_and_a_migrated_one_starts_without_it()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);

        // Another silo's migration holds the lock.
        await using var other = await database.OpenConnectionAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", other) { Parameters = { new() { Value = ControlDatabase.MigrationLockKey } } })
        {
            await take.ExecuteNonQueryAsync();
        }

        var fresh = ControlDatabase.MigrateAsync(dataSource, [], CancellationToken.None);
        await Eventually.WaitAsync(
            async () => await database.ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 1,
            s_within,
            () => "the fresh database's migration to wait for the advisory lock");
        fresh.IsCompleted.ShouldBeFalse("nothing is applied while another migration holds the lock");

        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", other) { Parameters = { new() { Value = ControlDatabase.MigrationLockKey } } })
        {
            await release.ExecuteNonQueryAsync();
        }

        await fresh.WaitAsync(s_within);
        var recorded = await database.ScalarAsync<long>("SELECT count(*) FROM sentinel.schema_migration");
        recorded.ShouldBeGreaterThan(0);

        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", other) { Parameters = { new() { Value = ControlDatabase.MigrationLockKey } } })
        {
            await take.ExecuteNonQueryAsync();
        }

        // Held until the test ends: a restart on the migrated database must not need it.
        await ControlDatabase.MigrateAsync(dataSource, [], CancellationToken.None).WaitAsync(s_within);
        (await database.ScalarAsync<long>("SELECT count(*) FROM sentinel.schema_migration")).ShouldBe(recorded);
    }
}
