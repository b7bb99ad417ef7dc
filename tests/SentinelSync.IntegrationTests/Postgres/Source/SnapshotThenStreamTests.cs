using System.Globalization;
using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Source;

public sealed class SnapshotThenStreamTests
{
    [Fact]
    public async Task Snapshot_and_stream_together_hold_every_row_exactly_once_under_concurrent_writes()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.t (id bigserial PRIMARY KEY, note text); INSERT INTO public.t (note) SELECT 'before' FROM generate_series(1, 5000)");
        var options = SourceTestOptions.For(database, "public.t");
        await new PostgresSourceSetup(options).PrepareAsync();

        // A writer keeps committing one-row transactions while the slot is created, so some land just before
        // and some just after its consistent point.
        using var stopWriter = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stopWriter.IsCancellationRequested)
            {
                await database.ExecuteAsync("INSERT INTO public.t (note) VALUES ('during')");
            }
        });
        await Eventually.WaitAsync(
            async () => await database.ScalarAsync<long>("SELECT count(*) FROM public.t") > 5050,
            TimeSpan.FromSeconds(30),
            () => "the concurrent writer to commit some rows");

        var snapshotIds = new List<long>();
        TableSchema? snapshotSchema = null;
        await using (var slot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(database.ConnectionString, options.Slot))
        {
            await Eventually.WaitAsync(
                async () => await database.ScalarAsync<long>("SELECT count(*) FROM public.t") > 5200,
                TimeSpan.FromSeconds(30),
                () => "the concurrent writer to commit rows after the slot");
            await stopWriter.CancelAsync();
            await writer;
            await foreach (var batch in new PostgresSnapshotReader(database.ConnectionString).ReadTableAsync(new TableName("public", "t"), slot.SnapshotName, slot.ConsistentPoint))
            {
                snapshotSchema = batch.Changes[0].Schema;
                snapshotIds.AddRange(batch.Changes.Select(c => long.Parse(c.Values[0].Text!, CultureInfo.InvariantCulture)));
            }
        }

        await database.ExecuteAsync("INSERT INTO public.t (note) VALUES ('after')");
        var total = await database.ScalarAsync<long>("SELECT count(*) FROM public.t");
        var streamedRows = total - snapshotIds.Count;
        streamedRows.ShouldBeGreaterThan(1, "some concurrent rows committed after the consistent point");

        var stream = await PostgresChangeStream.OpenAsync(options.Connection, options.Slot, options.Publication, knownSchemas: [snapshotSchema!]);
        await using var collected = await CollectedStreamFor(stream);
        var changes = await collected.WaitForChangesAsync((int)streamedRows);

        var streamedIds = changes.Select(c => long.Parse(c.Values[0].Text!, CultureInfo.InvariantCulture)).ToList();
        snapshotIds.Intersect(streamedIds).ShouldBeEmpty("no row both in the snapshot and in the stream");
        var all = snapshotIds.Concat(streamedIds).Order().ToList();
        all.ShouldBe(await AllIdsAsync(database), "no row missing");
        changes.ShouldAllBe(c => c.Kind == ChangeKind.Insert && c.Schema == snapshotSchema, "the stream keeps the snapshot's schema version");
    }

    private static Task<CollectedStream> CollectedStreamFor(PostgresChangeStream stream) => CollectedStream.Wrap(stream);

    private static async Task<List<long>> AllIdsAsync(PostgresDatabase database) =>
        [.. await database.ScalarAsync<long[]>("SELECT array_agg(id ORDER BY id) FROM public.t")];
}
