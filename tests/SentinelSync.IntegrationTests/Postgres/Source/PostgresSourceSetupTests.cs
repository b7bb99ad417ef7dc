using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Source;

public sealed class PostgresSourceSetupTests
{
    [Fact]
    public async Task Creates_the_publication_for_resolved_tables_and_patterns()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("""
            CREATE SCHEMA app;
            CREATE TABLE app.orders (id int PRIMARY KEY);
            CREATE TABLE app."Mixed Case" (id int PRIMARY KEY);
            CREATE TABLE app.events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE VIEW app.v AS SELECT 1 AS x;
            CREATE TABLE public.other (id int PRIMARY KEY);
            CREATE TABLE public.ignored (id int PRIMARY KEY);
            """);
        var options = SourceTestOptions.For(database, "app.*", "public.other");

        var plan = await new PostgresSourceSetup(options).PrepareAsync();

        plan.Tables.ShouldBe([
            new TableName("app", "Mixed Case"), new TableName("app", "events"), new TableName("app", "orders"), new TableName("public", "other")]);
        plan.PublicationCreated.ShouldBeTrue();
        plan.SlotExists.ShouldBeFalse();
        plan.Warnings.ShouldBeEmpty();
        (await database.ScalarAsync<string>(
            "SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY schemaname, tablename) FROM pg_publication_tables WHERE pubname = $1", options.Publication))
            .ShouldBe("app.Mixed Case,app.events,app.orders,public.other");
        (await database.ScalarAsync<bool>("SELECT pubviaroot FROM pg_publication WHERE pubname = $1", options.Publication)).ShouldBeTrue();
    }

    [Fact]
    public async Task Adds_tables_that_appeared_since_and_leaves_others_alone()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.a (id int PRIMARY KEY); CREATE TABLE public.b (id int PRIMARY KEY)");
        var options = SourceTestOptions.For(database, "public.*");
        await new PostgresSourceSetup(options).PrepareAsync();
        await database.ExecuteAsync("CREATE TABLE public.c (id int PRIMARY KEY)");

        var plan = await new PostgresSourceSetup(options).PrepareAsync();

        plan.PublicationCreated.ShouldBeFalse();
        plan.TablesAddedToPublication.ShouldBe([new TableName("public", "c")]);
        (await database.ScalarAsync<long>("SELECT count(*) FROM pg_publication_tables WHERE pubname = $1", options.Publication)).ShouldBe(3);
    }

    [Fact]
    public async Task Names_missing_tables_and_empty_patterns()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.orders (id int PRIMARY KEY); CREATE SCHEMA empty");
        var options = SourceTestOptions.For(database, "public.orders", "public.Orders", "empty.*");

        var error = await Should.ThrowAsync<PostgresSetupException>(() => new PostgresSourceSetup(options).PrepareAsync());

        error.Problems.Count.ShouldBe(2);
        error.Problems.ShouldContain(p => p.Contains("'public.Orders' does not exist", StringComparison.Ordinal));
        error.Problems.ShouldContain(p => p.Contains("pattern 'empty.*' matches no table", StringComparison.Ordinal));
        (await database.ScalarAsync<long>("SELECT count(*) FROM pg_publication WHERE pubname = $1", options.Publication))
            .ShouldBe(0, "nothing is created when setup fails");
    }

    [Fact]
    public async Task Explains_missing_replication_privilege_and_ownership()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        var role = "r_" + database.Name;
        await database.ExecuteAsync($"CREATE TABLE public.orders (id int PRIMARY KEY); CREATE ROLE \"{role}\" LOGIN");
        try
        {
            var options = SourceTestOptions.For(database, "public.orders");
            options.Connection = SourceTestOptions.WithUser(database.ConnectionString, role);

            var error = await Should.ThrowAsync<PostgresSetupException>(() => new PostgresSourceSetup(options).PrepareAsync());

            error.Problems.ShouldContain(p => p.Contains($"role '{role}' lacks the REPLICATION privilege", StringComparison.Ordinal) && p.Contains("ALTER ROLE", StringComparison.Ordinal));
            error.Problems.ShouldContain(p => p.Contains($"does not own table public.orders", StringComparison.Ordinal));
            error.Problems.ShouldContain(p => p.Contains("may not SELECT from public.orders", StringComparison.Ordinal));
        }
        finally
        {
            await database.ExecuteAsync($"DROP ROLE \"{role}\"");
        }
    }

    [Fact]
    public async Task Warns_about_tables_without_replica_identity()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.log (msg text); CREATE TABLE public.full_log (msg text) ; ALTER TABLE public.full_log REPLICA IDENTITY FULL");

        var plan = await new PostgresSourceSetup(SourceTestOptions.For(database, "public.*")).PrepareAsync();

        var warning = plan.Warnings.ShouldHaveSingleItem();
        warning.ShouldContain("public.log");
        warning.ShouldContain("REPLICA IDENTITY FULL");
    }

    [Fact]
    public async Task Reports_an_existing_slot_and_never_drops_it()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.orders (id int PRIMARY KEY)");
        var options = SourceTestOptions.For(database, "public.orders");
        await PostgresReplicationSlots.CreateAsync(database.ConnectionString, options.Slot);

        var plan = await new PostgresSourceSetup(options).PrepareAsync();

        plan.SlotExists.ShouldBeTrue();
        (await database.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1", options.Slot)).ShouldBe(1);
    }
}
