using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Source;

public sealed class PostgresSnapshotReaderTests
{
    private const string TrickyText = "tab\there, newline\nthere, cr\r, backslash \\ and \\N, quote ' \" , unicode é 日本 🎉";

    [Fact]
    public async Task Copies_every_row_as_of_the_slot_snapshot_in_bounded_batches()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("""
            CREATE TABLE public.items (id bigint PRIMARY KEY, label text, amount numeric(20,4), tags text[]);
            INSERT INTO public.items SELECT g, 'item ' || g, g * 1.5, ARRAY['a', NULL] FROM generate_series(1, 25000) g;
            """);
        await database.ExecuteAsync("INSERT INTO public.items VALUES (-1, $1, NULL, '{\"x\\\\ty\",\"\"}'), (-2, NULL, 'NaN', NULL)", TrickyText);
        var options = SourceTestOptions.For(database, "public.items");
        await new PostgresSourceSetup(options).PrepareAsync();

        var batches = new List<ChangeBatch>();
        ulong consistentPoint;
        await using (var slot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(database.ConnectionString, options.Slot))
        {
            consistentPoint = slot.ConsistentPoint;

            // Changes after the slot's creation must not show in the snapshot.
            await database.ExecuteAsync("INSERT INTO public.items VALUES (30000, 'late', 1, NULL); UPDATE public.items SET label = 'changed' WHERE id = 1; DELETE FROM public.items WHERE id = 2");

            await foreach (var batch in new PostgresSnapshotReader(database.ConnectionString).ReadTableAsync(new TableName("public", "items"), slot.SnapshotName, slot.ConsistentPoint))
            {
                batches.Add(batch);
            }
        }

        batches.Select(b => b.Changes.Count).ShouldBe([10000, 10000, 5002]);
        var rows = batches.SelectMany(b => b.Changes).ToList();
        rows.ShouldAllBe(r => r.Kind == ChangeKind.Snapshot);
        rows.Select(r => r.Position).ShouldBe(
            Enumerable.Range(1, rows.Count).Select(i => PostgresSnapshotReader.SnapshotPosition(consistentPoint, 0, i)),
            "row by row, just below the consistent point (every streamed change comes after)");
        rows.ShouldAllBe(r => r.Position.Lsn < consistentPoint);
        batches.ShouldAllBe(b => b.Through == b.Changes[b.Changes.Count - 1].Position);
        var byId = rows.ToDictionary(r => long.Parse(r.Values[0].Text!, System.Globalization.CultureInfo.InvariantCulture));
        byId.Count.ShouldBe(25002);
        byId.ShouldNotContainKey(30000L);
        byId[1].Values[1].ShouldBe(ColumnValue.Of("item 1"), "the update after the slot is not in the snapshot");
        byId.ShouldContainKey(2L, "the delete after the slot is not in the snapshot");
        byId[-1].Values[1].ShouldBe(ColumnValue.Of(TrickyText));
        byId[-1].Values[2].ShouldBe(ColumnValue.Null);
        byId[-1].Values[3].ShouldBe(ColumnValue.Of(await database.ScalarAsync<string>("SELECT tags::text FROM public.items WHERE id = -1")));
        byId[-2].Values[1].ShouldBe(ColumnValue.Null);
        byId[-2].Values[2].ShouldBe(ColumnValue.Of("NaN"));
        byId[7].Values.ShouldBe([ColumnValue.Of("7"), ColumnValue.Of("item 7"), ColumnValue.Of("10.5000"), ColumnValue.Of("{a,NULL}")]);

        var schema = rows[0].Schema;
        schema.Version.ShouldBe(1);
        schema.Columns.Select(c => (c.Name, c.TypeName, c.IsKey)).ShouldBe([
            ("id", "bigint", true), ("label", "text", false), ("amount", "numeric(20,4)", false), ("tags", "text[]", false)]);
    }

    [Fact]
    public async Task Tables_read_in_parallel_under_one_snapshot()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("""
            CREATE TABLE public.a (id int PRIMARY KEY);
            CREATE TABLE public.b (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE public.b_1 PARTITION OF public.b FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE public.b_2 PARTITION OF public.b FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            INSERT INTO public.a SELECT generate_series(1, 3000);
            INSERT INTO public.b SELECT g, DATE '2024-06-01' + g FROM generate_series(1, 400) g;
            """);
        var options = SourceTestOptions.For(database, "public.a", "public.b");
        await new PostgresSourceSetup(options).PrepareAsync();
        await using var slot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(database.ConnectionString, options.Slot);
        await database.ExecuteAsync("INSERT INTO public.a VALUES (5000); INSERT INTO public.b VALUES (5000, '2025-06-01')");
        var reader = new PostgresSnapshotReader(database.ConnectionString, batchSize: 1000);

        var counts = await Task.WhenAll(
            CountAsync(reader.ReadTableAsync(new TableName("public", "a"), slot.SnapshotName, slot.ConsistentPoint)),
            CountAsync(reader.ReadTableAsync(new TableName("public", "b"), slot.SnapshotName, slot.ConsistentPoint)));

        counts.ShouldBe([3000, 400], "partitioned table read through its root; later inserts excluded");
    }

    [Fact]
    public async Task Ranges_read_in_parallel_as_utf8_bytes_hold_every_snapshot_row_exactly_once()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("""
            CREATE TABLE public.items (id bigint PRIMARY KEY, label text);
            INSERT INTO public.items SELECT g, 'é 日本 🎉 ' || repeat('x', g % 300) FROM generate_series(1, 30000) g;
            """);

        // A row longer than a whole chunk, of multi-byte characters, so chunks are cut inside none of them.
        await database.ExecuteAsync("INSERT INTO public.items VALUES (-1, repeat('日', 400000) || $1)", TrickyText);
        var options = SourceTestOptions.For(database, "public.items");
        await new PostgresSourceSetup(options).PrepareAsync();
        await using var slot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(database.ConnectionString, options.Slot);
        await database.ExecuteAsync("INSERT INTO public.items VALUES (50000, 'late'); UPDATE public.items SET label = 'changed' WHERE id < 100; DELETE FROM public.items WHERE id BETWEEN 100 AND 200");
        var reader = new PostgresSnapshotReader(database.ConnectionString);

        var plan = await reader.PlanAsync(new TableName("public", "items"), slot.SnapshotName, maxRanges: 3, CancellationToken.None, blocksPerRange: 16);
        plan.Ranges.Count.ShouldBe(3, "the table has well over 48 blocks");
        var chunks = await Task.WhenAll(plan.Ranges.Select(async range =>
        {
            var read = new List<(byte[] Utf8, int Rows)>();
            await foreach (var chunk in reader.ReadCopyTextAsync(plan, range, slot.SnapshotName))
            {
                read.Add(chunk);
            }

            return read;
        }));

        chunks.ShouldAllBe(range => range.Count > 0, "every range holds rows");
        var lines = chunks.SelectMany(range => range).SelectMany(chunk =>
        {
            var text = System.Text.Encoding.UTF8.GetString(chunk.Utf8);
            text.ShouldEndWith("\n", customMessage: "a chunk holds whole rows");
            var rows = text[..^1].Split('\n');
            rows.Length.ShouldBe(chunk.Rows);
            return rows;
        }).ToList();

        // Every row of the snapshot once (nothing doubled or lost at a range boundary), none of the later changes.
        lines.Count.ShouldBe(30001);
        var byId = lines.Select(l => CopyTextFormat.ParseRow(l, 2)).ToDictionary(r => long.Parse(r[0].Text!, System.Globalization.CultureInfo.InvariantCulture));
        byId.Keys.Order().ShouldBe(Enumerable.Range(1, 30000).Select(i => (long)i).Prepend(-1L), "no row read twice");
        byId[1][1].ShouldBe(ColumnValue.Of("é 日本 🎉 x"));
        byId[150][1].ShouldBe(ColumnValue.Of("é 日本 🎉 " + new string('x', 150)), "the delete after the slot is not in the snapshot");
        byId[-1][1].ShouldBe(ColumnValue.Of(new string('日', 400000) + TrickyText));
        byId.ShouldNotContainKey(50000L);
    }

    [Fact]
    public async Task A_table_of_a_few_minimum_ranges_is_planned_as_contiguous_parallel_ranges_and_a_smaller_one_as_one()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);

        // A tenth of each heap page used: enough blocks for three minimum-sized ranges with few rows to write.
        await database.ExecuteAsync("""
            CREATE TABLE public.wide (id bigint PRIMARY KEY, label text) WITH (fillfactor = 10);
            INSERT INTO public.wide SELECT g, repeat('x', 90) FROM generate_series(1, 40000) g;
            CREATE TABLE public.small (id bigint PRIMARY KEY, label text);
            INSERT INTO public.small SELECT g, repeat('x', 90) FROM generate_series(1, 40000) g;
            """);
        var wideBlocks = await database.ScalarAsync<long>("SELECT pg_relation_size('public.wide') / current_setting('block_size')::bigint");
        var smallBlocks = await database.ScalarAsync<long>("SELECT pg_relation_size('public.small') / current_setting('block_size')::bigint");
        wideBlocks.ShouldBeGreaterThanOrEqualTo(3 * PostgresSnapshotReader.BlocksPerRange, "the wide table must span three minimum ranges for this test to mean anything");
        smallBlocks.ShouldBeLessThan(PostgresSnapshotReader.BlocksPerRange, "the small table must be under one minimum range");
        var options = SourceTestOptions.For(database, "public.wide", "public.small");
        await new PostgresSourceSetup(options).PrepareAsync();
        await using var slot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(database.ConnectionString, options.Slot);
        var reader = new PostgresSnapshotReader(database.ConnectionString);

        var wide = await reader.PlanAsync(new TableName("public", "wide"), slot.SnapshotName, maxRanges: 3, CancellationToken.None);
        var small = await reader.PlanAsync(new TableName("public", "small"), slot.SnapshotName, maxRanges: 3, CancellationToken.None);

        wide.Ranges.Count.ShouldBe(3);
        wide.Ranges[0].FromBlock.ShouldBe(0);
        wide.Ranges[^1].ToBlock.ShouldBeNull("the last range is open-ended, for rows beyond the size read at planning");
        for (var i = 1; i < wide.Ranges.Count; i++)
        {
            wide.Ranges[i].FromBlock.ShouldBe(wide.Ranges[i - 1].ToBlock!.Value, "ranges meet without a gap or an overlap");
        }

        small.Ranges.Count.ShouldBe(1);
        small.Ranges[0].ShouldBe(new BlockRange(0, null));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_range_cancelled_or_left_early_ends_its_copy_on_the_server(bool cancel)
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("""
            CREATE TABLE public.items (id bigint PRIMARY KEY, label text);
            INSERT INTO public.items SELECT g, repeat('x', 200) FROM generate_series(1, 200000) g;
            """);
        var options = SourceTestOptions.For(database, "public.items");
        await new PostgresSourceSetup(options).PrepareAsync();
        await using var slot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(database.ConnectionString, options.Slot);
        var reader = new PostgresSnapshotReader(database.ConnectionString);
        var plan = await reader.PlanAsync(new TableName("public", "items"), slot.SnapshotName, maxRanges: 1, CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        // About 40 MiB: the reading thread is still well inside the COPY when the first chunk arrives.
        var taken = 0;
        var reading = Task.Run(async () =>
        {
            await foreach (var chunk in reader.ReadCopyTextAsync(plan, plan.Ranges[0], slot.SnapshotName, cancellation.Token))
            {
                taken += chunk.Rows;
                if (!cancel)
                {
                    break;
                }

                await cancellation.CancelAsync();
            }
        });

        if (cancel)
        {
            await Should.ThrowAsync<OperationCanceledException>(reading.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        else
        {
            await reading.WaitAsync(TimeSpan.FromSeconds(60));
        }

        taken.ShouldBeInRange(1, 199_999, "one chunk taken, not the whole range");
        await Eventually.WaitAsync(
            async () => await database.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (SELECT%'") == 0,
            TimeSpan.FromSeconds(30),
            () => "the range's COPY to end on the server");
    }

    [Fact]
    public async Task Fails_clearly_once_the_exporting_connection_is_closed()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.a (id int PRIMARY KEY)");
        var options = SourceTestOptions.For(database, "public.a");
        await new PostgresSourceSetup(options).PrepareAsync();
        var slot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(database.ConnectionString, options.Slot);
        var exporter = await database.ScalarAsync<int>($"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{options.Slot}'");
        await slot.DisposeAsync();

        // The server ends the exporting backend asynchronously; until its process is gone the snapshot can
        // still be imported (the slot turns inactive a little earlier than the snapshot is released).
        await Eventually.WaitAsync(
            async () => await database.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE pid = {exporter}") == 0,
            TimeSpan.FromSeconds(10),
            () => $"the exporting backend {exporter} to exit after its connection closed");

        // Even then the snapshot file can outlive the backend's pg_stat_activity entry by a moment: the import
        // must fail with a server error soon after, and never be read as if the snapshot were still there.
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    await CountAsync(new PostgresSnapshotReader(database.ConnectionString).ReadTableAsync(new TableName("public", "a"), slot.SnapshotName, slot.ConsistentPoint));
                    return false;
                }
                catch (Npgsql.PostgresException)
                {
                    return true;
                }
            },
            TimeSpan.FromSeconds(10),
            () => "importing the snapshot to fail with a server error once its exporting connection closed");
    }

    private static async Task<int> CountAsync(IAsyncEnumerable<ChangeBatch> batches)
    {
        var count = 0;
        await foreach (var batch in batches)
        {
            batch.Changes.Count.ShouldBeLessThanOrEqualTo(1000);
            count += batch.Changes.Count;
        }

        return count;
    }
}
