using Npgsql;
using SentinelSync.Runtime;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Runtime;

/// <summary>Grain state and leases in a real control database.</summary>
public sealed class PostgresGrainStateTests
{
    private static Task<Silo> StartSiloAsync(NpgsqlDataSource controlDb, string name) =>
        Silo.StartAsync(new SiloOptions { Name = name }, controlDb, grainAssemblies: [typeof(LedgerGrain).Assembly]);

    [Fact]
    public async Task State_survives_deactivation_and_a_new_silo_and_each_activation_gets_a_higher_epoch()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await using var controlDb = NpgsqlDataSource.Create(database.ConnectionString);

        long firstEpoch;
        await using (var silo = await StartSiloAsync(controlDb, "silo-a"))
        {
            var ledger = silo.GrainFactory.GetGrain<ILedgerGrain>("orders");
            await ledger.AppendAsync("one");
            await ledger.AppendAsync("two ✓");
            firstEpoch = await ledger.GetEpochAsync();
        }

        await using (var silo = await StartSiloAsync(controlDb, "silo-b"))
        {
            var ledger = silo.GrainFactory.GetGrain<ILedgerGrain>("orders");
            var state = await ledger.GetAsync();

            state.Count.ShouldBe(2);
            state.Entries.ShouldBe(["one", "two ✓"]);
            (await ledger.GetEpochAsync()).ShouldBeGreaterThan(firstEpoch);
            (await ledger.AppendAsync("three")).ShouldBe(3);
        }

        (await database.ScalarAsync<string>("SELECT payload->>'count' FROM sentinel.grain_state WHERE grain_key = 'orders'")).ShouldBe("3");
        (await database.ScalarAsync<bool>("SELECT released FROM sentinel.grain_lease WHERE grain_key = 'orders'")).ShouldBeTrue("a graceful stop releases the lease");
    }

    [Fact]
    public async Task Clear_removes_the_record()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await using var controlDb = NpgsqlDataSource.Create(database.ConnectionString);
        await using var silo = await StartSiloAsync(controlDb, "silo-a");
        var ledger = silo.GrainFactory.GetGrain<ILedgerGrain>("gone");

        await ledger.AppendAsync("x");
        await ledger.ClearAsync();

        (await ledger.GetAsync()).Count.ShouldBe(0);
        (await database.ScalarAsync<long>("SELECT count(*) FROM sentinel.grain_state WHERE grain_key = 'gone'")).ShouldBe(0);
        (await ledger.AppendAsync("y")).ShouldBe(1, "writing after a clear creates the record again");
    }

    [Fact]
    public async Task A_stale_etag_is_refused_with_a_specific_exception()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await using var controlDb = NpgsqlDataSource.Create(database.ConnectionString);
        await ControlDatabase.MigrateAsync(controlDb, [], default);
        var grain = new GrainId("Ledger", "etag");
        var epoch = await new PostgresGrainLeaseStore(controlDb, "silo-a").AcquireAsync(grain, default);
        var store = new PostgresGrainStateStore(controlDb);

        var first = await store.WriteAsync(grain, "ledger", """{"count":1}""", null, epoch, default);
        await store.WriteAsync(grain, "ledger", """{"count":2}""", first, epoch, default);
        var stale = await Should.ThrowAsync<InconsistentStateException>(() => store.WriteAsync(grain, "ledger", """{"count":99}""", first, epoch, default));
        var duplicateInsert = await Should.ThrowAsync<InconsistentStateException>(() => store.WriteAsync(grain, "ledger", """{"count":98}""", null, epoch, default));

        stale.StoredEtag.ShouldBe("2");
        duplicateInsert.ExpectedEtag.ShouldBeNull();
        (await store.ReadAsync(grain, "ledger", default))!.Json.ShouldBe("""{"count": 2}""");
    }

    [Fact]
    public async Task A_superseded_activation_cannot_write_even_with_the_right_etag()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await using var controlDb = NpgsqlDataSource.Create(database.ConnectionString);
        await ControlDatabase.MigrateAsync(controlDb, [], default);
        var grain = new GrainId("Ledger", "fenced");
        var store = new PostgresGrainStateStore(controlDb);
        var zombie = await new PostgresGrainLeaseStore(controlDb, "silo-a").AcquireAsync(grain, default);
        var etag = await store.WriteAsync(grain, "ledger", """{"count":1}""", null, zombie, default);

        var current = await new PostgresGrainLeaseStore(controlDb, "silo-b").AcquireAsync(grain, default);
        var error = await Should.ThrowAsync<GrainFencedException>(() => store.WriteAsync(grain, "ledger", """{"count":2}""", etag, zombie, default));

        error.CurrentEpoch.ShouldBe(current);
        current.ShouldBe(zombie + 1);
        await store.WriteAsync(grain, "ledger", """{"count":2}""", etag, current, default);
        (await store.ReadAsync(grain, "ledger", default))!.Etag.ShouldBe("2");
    }

    [Fact]
    public async Task Migrations_are_idempotent_and_safe_to_run_concurrently()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await using var controlDb = NpgsqlDataSource.Create(database.ConnectionString);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ControlDatabase.MigrateAsync(controlDb, [], default)));
        await ControlDatabase.MigrateAsync(controlDb, [], default);

        (await database.ScalarAsync<long>("SELECT count(*) FROM sentinel.schema_migration WHERE id = '001_grain_runtime@SentinelSync.Runtime'")).ShouldBe(1);
        (await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'sentinel' AND table_name IN ('schema_migration', 'grain_state', 'grain_lease', 'silo', 'membership_version')")).ShouldBe(5);
    }
}
