using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>Postgres to Postgres through the real <c>sentinel run</c> process.</summary>
public sealed class PostgresPipelineTests(ITestOutputHelper output)
{
    private static readonly (string, string)[] s_items = [("items", "id")];

    [Fact]
    public async Task Snapshot_under_concurrent_writes_then_streaming_converge_and_a_graceful_stop_exits_0()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 20_000);

        await using var workload = Workload.Start(scenario.Source);
        await using var sentinel = await scenario.StartSentinelAsync();
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > 200), TimeSpan.FromSeconds(30), () => "200 source commits while replicating");
        await workload.StopAsync();

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), s_items);

        // A marker committed after everything else: once it is applied and the silo stopped gracefully, the slot
        // must be confirmed past the WAL position taken before it (other tests write WAL too, so no fixed lag).
        var before = await scenario.Source.ScalarAsync<decimal>("SELECT (pg_current_wal_lsn() - '0/0')::numeric");
        await scenario.Source.ExecuteAsync("INSERT INTO items (id, name) VALUES (999999999, 'marker')");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), s_items);
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        output.WriteLine($"{workload.Commits} commits replicated");

        var confirmed = await scenario.Source.ScalarAsync<decimal>($"SELECT (confirmed_flush_lsn - '0/0')::numeric FROM pg_replication_slots WHERE slot_name = '{scenario.Source.Name}'");
        confirmed.ShouldBeGreaterThan(before, "a graceful stop confirms everything applied");
    }

    [Fact]
    public async Task Three_kill_minus_9_mid_stream_never_confirm_unapplied_changes_and_the_destination_ends_identical()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 5_000);
        await using var workload = Workload.Start(scenario.Source);
        var slot = scenario.Source.Name;

        for (var kill = 1; kill <= 3; kill++)
        {
            await using var sentinel = await scenario.StartSentinelAsync();

            // Locked during the snapshot (the copy creates the table before the snapshot ends), the table would hold
            // the pipeline in its snapshot and nothing would stream: the kill must come mid-stream.
            await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(90));
            var commits = workload.Commits;
            await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > commits + 100), TimeSpan.FromSeconds(30), () => $"100 commits before kill {kill}");

            // Block the destination table: what arrives now stays queued in the silo, unapplied.
            await using var blocker = await scenario.Destination.OpenConnectionAsync();
            await using (var transaction = await blocker.BeginTransactionAsync())
            {
                await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE items IN EXCLUSIVE MODE", blocker, transaction))
                {
                    await lockTable.ExecuteNonQueryAsync();
                }

                commits = workload.Commits;
                await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > commits + 50), TimeSpan.FromSeconds(30), () => "50 commits while the destination is blocked");
                var unapplied = await scenario.Source.ScalarAsync<decimal>("SELECT (pg_current_wal_lsn() - '0/0')::numeric");

                // Wait until sentinel received those changes and then reported its position to Postgres at least once.
                var received = DateTime.MinValue;
                await Eventually.WaitAsync(
                    async () =>
                    {
                        var (sent, replied) = await ReplicationStateAsync(scenario.Source, slot);
                        if (received == DateTime.MinValue && sent >= unapplied)
                        {
                            received = DateTime.UtcNow;
                        }

                        return received != DateTime.MinValue && replied > received.AddMilliseconds(100);
                    },
                    TimeSpan.FromSeconds(30),
                    () => $"sentinel to receive up to {unapplied} and report its position after that");

                var confirmed = await scenario.Source.ScalarAsync<decimal>($"SELECT (confirmed_flush_lsn - '0/0')::numeric FROM pg_replication_slots WHERE slot_name = '{slot}'");
                confirmed.ShouldBeLessThan(unapplied, "the slot must not be confirmed past changes the destination has not applied");
                await sentinel.KillAsync();
                await transaction.RollbackAsync();
            }
        }

        await workload.StopAsync();
        await using (await scenario.StartSentinelAsync())
        {
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), s_items);
        }

        output.WriteLine($"{workload.Commits} commits, 3 kills");
    }

    private static async Task<(decimal SentLsn, DateTime ReplyTime)> ReplicationStateAsync(PostgresDatabase source, string slot)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT (r.sent_lsn - '0/0')::numeric, r.reply_time FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = @slot",
            connection);
        command.Parameters.AddWithValue("slot", slot);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() && !reader.IsDBNull(0) && !reader.IsDBNull(1)
            ? (reader.GetDecimal(0), reader.GetDateTime(1).ToUniversalTime())
            : (0, DateTime.MinValue);
    }
}
