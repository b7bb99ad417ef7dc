using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Source;

public sealed class PostgresChangeStreamTests
{
    private static ColumnValue T(string text) => ColumnValue.Of(text);

    private static readonly ColumnValue N = ColumnValue.Null;

    private static async Task<PostgresSourceOptions> PrepareAsync(PostgresDatabase database, string tables, params string[] selection)
    {
        await database.ExecuteAsync(tables);
        var options = SourceTestOptions.For(database, selection);
        await new PostgresSourceSetup(options).PrepareAsync();
        await PostgresReplicationSlots.CreateAsync(database.ConnectionString, options.Slot);
        return options;
    }

    [Fact]
    public async Task Decodes_inserts_updates_deletes_and_truncates_at_increasing_positions()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        var options = await PrepareAsync(database, """
            CREATE TABLE public.t (id int PRIMARY KEY, name text);
            CREATE TABLE public.f (id int PRIMARY KEY, v text);
            ALTER TABLE public.f REPLICA IDENTITY FULL;
            """, "public.t", "public.f");
        await using var stream = await CollectedStream.StartAsync(options);

        await database.ExecuteAsync("INSERT INTO public.t VALUES (1, 'one'), (2, 'two'); INSERT INTO public.f VALUES (1, 'x')");
        await database.ExecuteAsync("BEGIN; UPDATE public.t SET name = 'uno' WHERE id = 1; UPDATE public.t SET id = 20 WHERE id = 2; COMMIT");
        await database.ExecuteAsync("DELETE FROM public.t WHERE id = 1");
        await database.ExecuteAsync("BEGIN; UPDATE public.f SET v = 'y' WHERE id = 1; DELETE FROM public.f WHERE id = 1; COMMIT");
        await database.ExecuteAsync("TRUNCATE public.t");

        var changes = await stream.WaitForChangesAsync(9);

        changes.Select(c => (c.Schema.Table.Name, c.Kind)).ShouldBe([
            ("t", ChangeKind.Insert), ("t", ChangeKind.Insert),
            ("f", ChangeKind.Insert),
            ("t", ChangeKind.Update), ("t", ChangeKind.Update),
            ("t", ChangeKind.Delete),
            ("f", ChangeKind.Update), ("f", ChangeKind.Delete),
            ("t", ChangeKind.Truncate)]);
        changes.Zip(changes.Skip(1)).ShouldAllBe(p => p.First.Position < p.Second.Position, "positions strictly increase");
        changes[0].Position.Ordinal.ShouldBe(1);
        changes[1].Position.ShouldBe(new Position(changes[0].Position.Lsn, 2), "same transaction, next ordinal");
        changes[2].Position.ShouldBe(new Position(changes[0].Position.Lsn, 3));
        changes[3].Position.Lsn.ShouldBeGreaterThan(changes[0].Position.Lsn, "a later transaction commits later");

        changes[0].Values.ShouldBe([T("1"), T("one")]);
        changes[3].Values.ShouldBe([T("1"), T("uno")]);
        changes[3].OldKey.ShouldBeNull("an update that keeps the key carries no old key");
        changes[4].Values.ShouldBe([T("20"), T("two")]);
        changes[4].OldKey.ShouldBe([T("2"), N], "a key change carries the old key");
        changes[5].Values.ShouldBeEmpty();
        changes[5].OldKey.ShouldBe([T("1"), N]);
        changes[6].OldKey.ShouldBe([T("1"), T("x")], "REPLICA IDENTITY FULL sends the whole old row");
        changes[6].Values.ShouldBe([T("1"), T("y")]);
        changes[7].OldKey.ShouldBe([T("1"), T("y")]);
        changes[8].Values.ShouldBeEmpty();

        changes.First(c => c.Schema.Table.Name == "t").Schema.Columns.Select(c => (c.Name, c.TypeName, c.IsKey))
            .ShouldBe([("id", "integer", true), ("name", "text", false)]);
        changes.First(c => c.Schema.Table.Name == "f").Schema.Columns.Select(c => c.IsKey)
            .ShouldBe([true, false], "under FULL the primary key still identifies the row");

        var batches = stream.Batches;
        batches[0].Through.ShouldBe(new Position(changes[0].Position.Lsn, 3), "a batch covers its whole transaction");
        batches.Count(b => b.Through.Lsn == changes[0].Position.Lsn).ShouldBe(2, "one batch per table per transaction");
    }

    [Fact]
    public async Task Commit_age_is_a_backlogs_age_by_the_source_clock_and_near_zero_for_a_transaction_read_live()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        var options = await PrepareAsync(database, "CREATE TABLE public.t (id int PRIMARY KEY)", "public.t");
        await database.ExecuteAsync("INSERT INTO public.t VALUES (1)");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await using var stream = await CollectedStream.StartAsync(options);
        await stream.WaitForChangesAsync(1);
        stream.Stream.CommitAge.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.4), "committed 1.5 s before the stream began");

        await database.ExecuteAsync("INSERT INTO public.t VALUES (2)");
        await stream.WaitForChangesAsync(2);
        stream.Stream.CommitAge.ShouldBeLessThan(TimeSpan.FromSeconds(1), "sent as soon as it committed");
    }

    [Fact]
    public async Task Unchanged_toast_column_arrives_as_unchanged()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        var options = await PrepareAsync(database, """
            CREATE TABLE public.docs (id int PRIMARY KEY, body text, n int);
            ALTER TABLE public.docs ALTER COLUMN body SET STORAGE EXTERNAL;
            """, "public.docs");
        await using var stream = await CollectedStream.StartAsync(options);

        await database.ExecuteAsync("INSERT INTO public.docs SELECT 1, string_agg(md5(random()::text), '') , 0 FROM generate_series(1, 400)");
        await database.ExecuteAsync("UPDATE public.docs SET n = 1 WHERE id = 1");
        await database.ExecuteAsync("UPDATE public.docs SET body = 'short', n = 2 WHERE id = 1");

        var changes = await stream.WaitForChangesAsync(3);

        changes[0].Values[1].Text!.Length.ShouldBe(12800);
        changes[1].Values.ShouldBe([T("1"), ColumnValue.Unchanged, T("1")]);
        changes[2].Values.ShouldBe([T("1"), T("short"), T("2")]);
    }

    [Fact]
    public async Task Schema_changes_bump_the_version()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        var options = await PrepareAsync(database, "CREATE TABLE public.t (id int PRIMARY KEY, a text)", "public.t");
        await using var stream = await CollectedStream.StartAsync(options);

        await database.ExecuteAsync("INSERT INTO public.t VALUES (1, 'a')");
        await database.ExecuteAsync("INSERT INTO public.t VALUES (2, 'b')");
        await database.ExecuteAsync("ALTER TABLE public.t ADD COLUMN b numeric(10,2)");
        await database.ExecuteAsync("INSERT INTO public.t VALUES (3, 'c', 1.5)");
        await database.ExecuteAsync("ALTER TABLE public.t RENAME COLUMN a TO a2");
        await database.ExecuteAsync("INSERT INTO public.t VALUES (4, 'd', 2)");
        await database.ExecuteAsync("ALTER TABLE public.t ALTER COLUMN b TYPE numeric(12,3)");
        await database.ExecuteAsync("INSERT INTO public.t VALUES (5, 'e', 3)");
        await database.ExecuteAsync("ALTER TABLE public.t DROP COLUMN a2");
        await database.ExecuteAsync("INSERT INTO public.t VALUES (6, 4)");

        var changes = await stream.WaitForChangesAsync(6);

        changes.Select(c => c.Schema.Version).ShouldBe([1, 1, 2, 3, 4, 5]);
        changes[1].Schema.ShouldBeSameAs(changes[0].Schema);
        changes[2].Schema.Columns.Select(c => $"{c.Name} {c.TypeName}").ShouldBe(["id integer", "a text", "b numeric(10,2)"]);
        changes[3].Schema.Columns.Select(c => c.Name).ShouldBe(["id", "a2", "b"]);
        changes[4].Schema.Columns[2].TypeName.ShouldBe("numeric(12,3)");
        changes[4].Values[2].ShouldBe(T("3.000"));
        changes[5].Schema.Columns.Select(c => c.Name).ShouldBe(["id", "b"]);
        changes[5].Values.ShouldBe([T("6"), T("4.000")]);
    }

    [Fact]
    public async Task Table_without_identity_replicates_inserts_and_its_updates_fail_loudly_at_the_source()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        var options = await PrepareAsync(database, "CREATE TABLE public.log (msg text)", "public.log");
        await using var stream = await CollectedStream.StartAsync(options);

        await database.ExecuteAsync("INSERT INTO public.log VALUES ('hello')");
        var update = await Should.ThrowAsync<Npgsql.PostgresException>(() => database.ExecuteAsync("UPDATE public.log SET msg = 'x'"));

        (await stream.WaitForChangesAsync(1)).ShouldHaveSingleItem().Values.ShouldBe([T("hello")]);
        update.MessageText.ShouldContain("does not have a replica identity");
        new PostgresReplicaIdentityException(new TableName("public", "log"), ChangeKind.Update).Message
            .ShouldContain("ALTER TABLE \"public\".\"log\" REPLICA IDENTITY FULL");
    }
}
