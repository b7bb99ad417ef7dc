using Npgsql;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// Source transactions that each touch three tables, through the real process, killed with SIGKILL while the
/// destination holds one table's lock, so that a transaction applying several tables is in flight at the kill (the
/// sink grains of a pipeline apply their tables together: <c>SinkApplyGroup</c>). After a restart the destination
/// must equal the source exactly, and every table must have its offset row.
/// </summary>
public sealed class CrossTableKillTests(ITestOutputHelper output)
{
    private const string Schema = """
        CREATE TABLE orders (id bigint PRIMARY KEY, customer int NOT NULL, total int NOT NULL);
        CREATE TABLE lines (order_id bigint NOT NULL, n int NOT NULL, amount int NOT NULL, PRIMARY KEY (order_id, n));
        CREATE TABLE totals (id int PRIMARY KEY, orders bigint NOT NULL, amount bigint NOT NULL);
        INSERT INTO totals VALUES (1, 0, 0);
        """;

    // One source transaction: an order, its three lines, the running totals, and a line of an older order removed.
    private const string Order = """
        INSERT INTO orders (id, customer, total) VALUES (@id, @id % 7, 30);
        INSERT INTO lines (order_id, n, amount) SELECT @id, n, 10 FROM generate_series(1, 3) n;
        UPDATE totals SET orders = orders + 1, amount = amount + 30 WHERE id = 1;
        DELETE FROM lines WHERE order_id = @id - 40 AND n = 2;
        UPDATE orders SET total = total - 10 WHERE id = @id - 40;
        """;

    private static readonly (string, string)[] s_tables = [("orders", "id"), ("lines", "order_id, n"), ("totals", "id")];

    [Fact]
    public async Task Multi_table_transactions_killed_mid_apply_converge_exactly_after_a_restart()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Schema);
        using var stopWriting = new CancellationTokenSource();
        var commits = 0L;
        var writer = Task.Run(() => WriteOrdersAsync(scenario.Source, () => Interlocked.Increment(ref commits), stopWriting.Token));

        for (var kill = 1; kill <= 2; kill++)
        {
            await using var sentinel = await scenario.StartSentinelAsync();

            // Killed mid-stream, not during the snapshot (whose copies the lock would hold up just as well).
            await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(90));
            var before = Interlocked.Read(ref commits);
            await Eventually.WaitAsync(
                async () => Interlocked.Read(ref commits) > before + 50 && await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'lines'") == 1,
                TimeSpan.FromSeconds(60),
                () => $"50 commits and the destination's lines table before kill {kill}");

            await using var blocker = await scenario.Destination.OpenConnectionAsync();
            await using (var transaction = await blocker.BeginTransactionAsync())
            {
                await using (var lockLines = new NpgsqlCommand("LOCK TABLE lines IN EXCLUSIVE MODE", blocker, transaction))
                {
                    await lockLines.ExecuteNonQueryAsync();
                }

                before = Interlocked.Read(ref commits);
                await Eventually.WaitAsync(
                    async () => Interlocked.Read(ref commits) > before + 30
                        && await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0,
                    TimeSpan.FromSeconds(60),
                    () => $"30 more commits and a sink transaction waiting on the lines lock before kill {kill}");
                await sentinel.KillAsync();
                await transaction.RollbackAsync();
            }
        }

        await stopWriting.CancelAsync();
        await writer;
        await using (await scenario.StartSentinelAsync())
        {
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(120), s_tables);
        }

        var offsets = await scenario.Destination.ScalarAsync<long>("""SELECT count(*) FROM "_sentinel".offsets WHERE source_table IN ('public.orders', 'public.lines', 'public.totals')""");
        offsets.ShouldBe(3, "each table keeps its own offset row");
        (await scenario.Destination.ScalarAsync<long>("SELECT orders FROM totals WHERE id = 1")).ShouldBe(await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM orders"));
        output.WriteLine($"{Interlocked.Read(ref commits)} three-table transactions, 2 kills");
    }

    private static async Task WriteOrdersAsync(PostgresDatabase source, Action committed, CancellationToken stop)
    {
        await using var connection = await source.OpenConnectionAsync(stop);
        for (var id = 1L; !stop.IsCancellationRequested; id++)
        {
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await using (var command = new NpgsqlCommand(Order, connection, transaction))
            {
                command.Parameters.AddWithValue("id", id);
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }

            await transaction.CommitAsync(CancellationToken.None);
            committed();

            // A steady pace, not a flood: the backlog after the last kill must drain on a loaded 2-core machine.
            await Task.Delay(5, CancellationToken.None);
        }
    }
}
