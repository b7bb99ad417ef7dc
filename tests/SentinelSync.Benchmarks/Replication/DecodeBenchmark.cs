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

        // The ClickHouse benchmark's changes: inserts after id 0, then updates, then the marker row (id -1).
        await ClickHousePipelineBenchmark.WriteChangesAsync(source, firstId: 0, changes, marker: -1);

        var connection = new Npgsql.NpgsqlConnectionStringBuilder(source.ConnectionString);
        if (readBuffer > 0)
        {
            connection.ReadBufferSize = readBuffer;
        }

        Console.WriteLine($"| round | changes | wall s | changes/s | CPU µs per change | bytes allocated per change |");
        Console.WriteLine($"| --- | --- | --- | --- | --- | --- |");
        for (var round = 1; round <= rounds; round++)
        {
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            var read = 0L;
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

        return 0;
    }
}
