using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// While streaming, the source reads ahead of a Postgres sink by two of its transactions (20,000 changes), not by
/// the 100,000 it allows snapshot copies: a destination that stalls holds that much in the silo's memory and no more,
/// and what the source did not read waits in the slot.
/// </summary>
public sealed class StreamQueueBoundTests(ITestOutputHelper output)
{
    private const int Rows = 80_000;

    /// <summary>The bound, plus one flush of the source (up to a destination transaction and one more source transaction's part).</summary>
    private const int MostQueued = 20_000 + 10_000 + 1_000;

    /// <summary>The last <c>/api/pipelines</c> read, for the failure message.</summary>
    private JsonElement _report;

    [Fact]
    public async Task A_stalled_destination_is_read_ahead_of_by_two_transactions_then_gets_every_row()
    {
        await using var scenario = await PipelineScenario.CreateAsync(tables: "public.queued");
        await scenario.Source.ExecuteAsync("CREATE TABLE queued (id int PRIMARY KEY, v text NOT NULL); INSERT INTO queued VALUES (0, 'seed');");
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("queued", "id"));
        // Streaming, not still finishing the snapshot (whose last step the lock would hold up instead).
        await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(60));

        // The sink's applies wait for this lock: its queue grows until the source stops reading.
        await using var blocker = await scenario.Destination.OpenConnectionAsync();
        await using var locked = await blocker.BeginTransactionAsync();
        await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE queued IN ACCESS EXCLUSIVE MODE", blocker, locked))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        for (var from = 1; from <= Rows; from += 1_000)
        {
            await scenario.Source.ExecuteAsync($"INSERT INTO queued SELECT i, 'row ' || i FROM generate_series({from}, {from + 999}) i");
        }

        using var http = new HttpClient { BaseAddress = sentinel.Address, Timeout = TimeSpan.FromSeconds(30) };
        var most = 0;
        await Eventually.WaitAsync(
            async () =>
            {
                most = Math.Max(most, await QueuedAsync(http));
                return most >= 20_000;
            },
            TimeSpan.FromSeconds(60),
            () => $"the sink's queue to fill up to the source's bound while the destination is locked; most seen {most}; last /api/pipelines: {_report}");

        // Time for a source that ignored the bound to read on: the whole backlog would be queued in well under this.
        for (var i = 0; i < 25; i++)
        {
            await Task.Delay(200);
            most = Math.Max(most, await QueuedAsync(http));
        }

        output.WriteLine($"most queued at the sink while its destination was locked: {most:N0} of {Rows:N0} changes written");
        most.ShouldBeLessThanOrEqualTo(MostQueued, "the source reads ahead of a stalled Postgres sink by two of its transactions and waits");

        await locked.RollbackAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("queued", "id"));
        (await scenario.Destination.CountRowsAsync("queued")).ShouldBe(Rows + 1);
    }

    private async Task<int> QueuedAsync(HttpClient http)
    {
        var report = _report = await http.GetFromJsonAsync<JsonElement>("api/pipelines");
        var queued = 0;
        foreach (var table in report.GetProperty("pipelines")[0].GetProperty("tables").EnumerateArray())
        {
            foreach (var sink in table.GetProperty("sinks").EnumerateArray())
            {
                queued = Math.Max(queued, sink.GetProperty("queued").GetInt32());
            }
        }

        return queued;
    }
}
