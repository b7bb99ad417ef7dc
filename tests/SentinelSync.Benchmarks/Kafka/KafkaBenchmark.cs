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

    /// <summary>
    /// <c>kafka [--quick] [--backlog SECONDS] [--runs N] [--legs]</c>: <c>--backlog</c> sets how long the load writes while the
    /// pipelines are paused (a longer backlog makes a longer drain, which start-up and a neighbour's burst distort
    /// less); <c>--runs</c> repeats the direct / via-Kafka pair, alternately, and ends with every pair's ratio;
    /// <c>--legs</c> adds a second via-Kafka backlog drained a leg at a time (<see cref="KafkaLegs"/>).
    /// </summary>
    public static async Task<int> RunAsync(string[] arguments)
    {
        var sizes = arguments.Contains("--quick") ? Quick : Full;
        if (Option(arguments, "--backlog") is { } backlog)
        {
            sizes = sizes with { Mode = $"{sizes.Mode}, backlog {backlog} s", BacklogLoad = TimeSpan.FromSeconds(backlog) };
        }

        var runs = Option(arguments, "--runs") ?? 1;
        var legs = arguments.Contains("--legs");
        if (legs)
        {
            sizes = sizes with { Mode = $"{sizes.Mode}, legs" };
        }

        await TestServers.EnsurePostgresAsync();
        await TestServers.EnsurePostgresDestinationAsync();
        var total = Stopwatch.StartNew();
        var reports = new List<(string Stem, KafkaReport Report)>();
        for (var run = 1; run <= runs; run++)
        {
            var machine = await MachineFacts.ReadAsync();
            Console.WriteLine($"kafka benchmark, {sizes.Mode} run {run} of {runs}, {machine.Cores} cores, {machine.Postgres}, load average {machine.LoadAverage}");
            StreamingResult direct, viaKafka;
            try
            {
                direct = await StreamingBenchmark.RunAsync("sentinelsync", sizes, s_databases);
                viaKafka = await StreamingBenchmark.RunAsync("via-kafka", sizes, s_databases, legs);
            }
            finally
            {
                // A slot left behind would hold WAL on the shared source cluster until the next run.
                await s_databases.DropAsync();
            }

            var report = new KafkaReport(machine, MachineFacts.ReadLoadAverage(), sizes, direct, viaKafka);
            var markdown = report.ToMarkdown();
            var directory = Path.Combine(RepositoryRoot(), "artifacts", "bench");
            Directory.CreateDirectory(directory);
            var stem = Path.Combine(directory, $"kafka-{DateTime.UtcNow:yyyyMMdd-HHmm}{(sizes.Mode.StartsWith("kafka quick", StringComparison.Ordinal) ? "-quick" : "")}");
            await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            await File.WriteAllTextAsync(stem + ".md", markdown);
            Console.WriteLine();
            Console.WriteLine(markdown);
            reports.Add((stem, report));
        }

        Console.WriteLine("| run | load average, start → end | backlog changes direct / via Kafka | drain s direct / via Kafka | backlog changes/s direct / via Kafka | ratio | peak RSS MiB direct / via Kafka |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (stem, r) in reports)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(stem)} | {r.Machine.LoadAverage} → {r.LoadAverageAtEnd} | {r.Direct.Backlog.Changes:N0} / {r.ViaKafka.Backlog.Changes:N0} | {r.Direct.Backlog.DrainSeconds:N1} / {r.ViaKafka.Backlog.DrainSeconds:N1} | {r.Direct.Backlog.AppliedChangesPerSecond:N0} / {r.ViaKafka.Backlog.AppliedChangesPerSecond:N0} | **{r.BacklogRatio:N2}×** | {r.Direct.PeakRssMiB:N0} / {r.ViaKafka.PeakRssMiB:N0} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{runs} run(s) in {total.Elapsed.TotalMinutes:N1} min; reports in artifacts/bench"));
        return reports.TrueForAll(r => r.Report.Converged) ? 0 : 1;
    }

    private static int? Option(string[] arguments, string name)
    {
        var at = Array.IndexOf(arguments, name);
        return at >= 0 && at + 1 < arguments.Length
            ? int.Parse(arguments[at + 1], CultureInfo.InvariantCulture)
            : null;
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
