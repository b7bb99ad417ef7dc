using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SentinelSync.Benchmarks.Replication;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Kafka;

/// <summary>
/// Issue 15, item 8: Postgres → Kafka → Postgres against the direct Postgres → Postgres pipeline, side by side in one
/// run on the same workload (<see cref="StreamingBenchmark"/>: initial sync, live load with commit → visible latency,
/// backlog drained after a pause). Kafka is librdkafka's mock cluster in this process (no broker can run here), so the
/// figures include no network or disk of a real broker. Uses its own databases (kbench_*) and slot. Writes
/// artifacts/bench/kafka-&lt;date&gt;.json and .md and prints the markdown.
/// </summary>
internal static class KafkaBenchmark
{
    /// <summary>Target of issue 15: the Kafka path at least this fraction of the direct pipeline's changes/s.</summary>
    public const double Target = 0.7;

    private static readonly BenchDatabases s_databases = new("kbench_src", "kbench_dst", "kbench_ctl", "kbench");

    public static async Task<int> RunAsync(string[] arguments)
    {
        var sizes = arguments.Contains("--quick") ? Quick : Full;
        await TestServers.EnsurePostgresAsync();
        await TestServers.EnsurePostgresDestinationAsync();
        var machine = await MachineFacts.ReadAsync();
        var total = Stopwatch.StartNew();
        Console.WriteLine($"kafka benchmark, {sizes.Mode} run, {machine.Cores} cores, {machine.Postgres}, load average {machine.LoadAverage}");

        StreamingResult direct, viaKafka;
        try
        {
            direct = await StreamingBenchmark.RunAsync("sentinelsync", sizes, s_databases);
            viaKafka = await StreamingBenchmark.RunAsync("via-kafka", sizes, s_databases);
        }
        finally
        {
            // A slot left behind would hold WAL on the shared source cluster until the next run.
            await BenchPostgres.DropAsync(TestServers.PostgresDestination, s_databases.Destination);
            await BenchPostgres.DropAsync(TestServers.Postgres, s_databases.Source);
            await BenchPostgres.DropAsync(TestServers.Postgres, s_databases.Control);
        }

        var report = new KafkaReport(machine, MachineFacts.ReadLoadAverage(), sizes, direct, viaKafka);
        var markdown = report.ToMarkdown();
        var directory = Path.Combine(RepositoryRoot(), "artifacts", "bench");
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"kafka-{DateTime.UtcNow:yyyyMMdd-HHmm}{(sizes == Quick ? "-quick" : "")}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        await File.WriteAllTextAsync(stem + ".md", markdown);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {stem}.json and .md in {total.Elapsed.TotalMinutes:N1} min"));
        return report.Converged ? 0 : 1;
    }

    /// <summary>
    /// Smaller than the replication benchmark's sizes: the mock keeps about 5 MB per partition (compressed), so the
    /// initial sync and the backlog must fit in the topics (<see cref="BenchKafka"/>) before the consumer catches up.
    /// </summary>
    public static readonly BenchSizes Full = new("kafka full", 2, 10_000, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(40), 0, 0, 0);

    public static readonly BenchSizes Quick = new("kafka quick", 1, 2_000, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), 0, 0, 0);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SentinelSync.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
