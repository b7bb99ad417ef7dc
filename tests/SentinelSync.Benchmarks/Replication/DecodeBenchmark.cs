using System.Diagnostics;
using System.Globalization;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// The source's decoding alone (verb <c>decode</c>): a backlog of changes in 1,000-row transactions (two thirds
/// inserts, one third updates of a bigint/text/numeric/timestamptz table) is streamed from a pgoutput slot through
/// <see cref="PostgresChangeStream"/> into nothing, several times over (the slot is never confirmed, so every round
/// reads the same WAL). Reports per round the wall time, this process's CPU per change and bytes allocated per
/// change; the first round includes the JIT. The walsender's own time is not included: it is the source server's.
/// <code>dotnet run -c Release --project tests/SentinelSync.Benchmarks -- decode [changes] [rounds] [read buffer bytes]</code>
/// </summary>
internal static class DecodeBenchmark
{
    private const int RowsPerTransaction = 1_000;

    public static async Task<int> RunAsync(string[] arguments)
    {
        var changes = arguments.Length > 0 ? int.Parse(arguments[0], CultureInfo.InvariantCulture) : 300_000;
        var rounds = arguments.Length > 1 ? int.Parse(arguments[1], CultureInfo.InvariantCulture) : 4;
        var readBuffer = arguments.Length > 2 ? int.Parse(arguments[2], CultureInfo.InvariantCulture) : 0;
        await TestServers.EnsurePostgresAsync();
        await using var source = await PostgresDatabase.CreateAsync(TestServers.Postgres, "bench_decode");
        await source.ExecuteAsync("""
            CREATE TABLE bench (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), at timestamptz NOT NULL DEFAULT now());
            CREATE PUBLICATION bench_decode FOR TABLE bench;
            """);
        await PostgresReplicationSlots.CreateAsync(source.ConnectionString, "bench_decode");

        var inserts = changes * 2 / 3;
        for (var offset = 0; offset < inserts; offset += RowsPerTransaction)
        {
            await source.ExecuteAsync($"INSERT INTO bench (id, name, amount) SELECT i, 'row ' || i, (i % 1000) / 10.0 FROM generate_series({offset + 1}, {offset + RowsPerTransaction}) i");
        }

        for (var offset = 0; offset < changes - inserts; offset += RowsPerTransaction)
        {
            await source.ExecuteAsync($"UPDATE bench SET amount = amount + 1, name = name || '+' WHERE id BETWEEN {offset + 1} AND {offset + RowsPerTransaction}");
        }

        await source.ExecuteAsync("INSERT INTO bench (id, name, amount) VALUES (-1, 'marker', 0)");
        Console.WriteLine($"| round | changes | wall s | changes/s | CPU µs per change | bytes allocated per change |");
        Console.WriteLine($"| --- | --- | --- | --- | --- | --- |");
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                var read = 0L;
                var connection = new Npgsql.NpgsqlConnectionStringBuilder(source.ConnectionString);
                if (readBuffer > 0)
                {
                    connection.ReadBufferSize = readBuffer;
                }

                await using (var stream = await PostgresChangeStream.OpenAsync(connection.ConnectionString, "bench_decode", "bench_decode"))
                {
                    using var done = new CancellationTokenSource();
                    try
                    {
                        await foreach (var batch in stream.ReadAsync(cancellationToken: done.Token))
                        {
                            read += batch.Changes.Count;
                            if (batch.Changes[^1].Values is [{ Text: "-1" }, ..])
                            {
                                await done.CancelAsync();
                            }
                        }
                    }
                    catch (OperationCanceledException) when (done.IsCancellationRequested)
                    {
                        // The marker was read.
                    }
                }

                watch.Stop();
                process.Refresh();
                var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {round}{(round == 1 ? " (JIT)" : "")} | {read:N0} | {watch.Elapsed.TotalSeconds:N2} | {read / watch.Elapsed.TotalSeconds:N0} | {1e6 * cpu / read:N2} | {(double)allocated / read:N0} |"));
            }
        }
        finally
        {
            await source.ExecuteAsync("SELECT pg_drop_replication_slot('bench_decode')");
        }

        return 0;
    }
}
