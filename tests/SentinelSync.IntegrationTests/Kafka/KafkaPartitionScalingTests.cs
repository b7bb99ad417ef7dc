using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Kafka.Source;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// Kafka partitions follow the silos, with real processes and librdkafka's mock cluster (or SENTINEL_TEST_KAFKA):
/// a partition whose rendezvous owner is a silo that joins moves there, drained, while events keep arriving, and
/// comes back when that silo stops; every event ends at the destination once (keyless rows: a doubled event
/// would be a second row).
/// </summary>
public sealed class KafkaPartitionScalingTests(ITestOutputHelper output)
{
    private const string Pipeline = "events";
    private static readonly TimeSpan s_within = TimeSpan.FromMinutes(3);

    /// <summary>How long moved partitions are watched to stay on their owners.</summary>
    private static readonly TimeSpan s_stay = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Partitions_move_to_a_joining_silo_and_back_with_every_event_applied_once()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        const int partitions = 4;
        string[] two = ["test-silo", "silo-b"];
        // A topic name whose partitions split between the two silos (the owner depends on the name).
        var topic = Enumerable.Range(0, 100).Select(i => scenario.Topic($"dbserver1.public.events{i}"))
            .First(t => Owners(t, partitions, two).Values.Distinct().Count() == 2);
        await scenario.Kafka.CreateTopicAsync(topic, partitions);
        var (file, port) = await scenario.WriteConfigAsync((Pipeline, "debezium-json", [topic]));

        await using var first = await SentinelProcess.StartAsync(file, port);
        using var producing = new CancellationTokenSource();
        var producer = ProduceUntilCancelledAsync(scenario, topic, producing.Token);
        await WaitForPlacementAsync(first, Owners(topic, partitions, ["test-silo"]), "every partition on the one silo");

        await using (var second = await StartSecondSiloAsync(file))
        {
            var spread = Owners(topic, partitions, two);
            try
            {
                await WaitForPlacementAsync(first, spread, "the partitions silo-b owns to move there");
            }
            catch (TimeoutException)
            {
                output.WriteLine($"first silo's log:\n{first.Log}\nsilo-b's log:\n{second.Log}");
                throw;
            }

            output.WriteLine($"with two silos: {string.Join(", ", spread.Select(p => $"{p.Key} on {p.Value}"))}");
            await StayAsync(scenario, spread, s_stay);
            (await second.StopAsync(s_within)).ShouldBe(0, second.Log);
        }

        await WaitForPlacementAsync(first, Owners(topic, partitions, ["test-silo"]), "every partition back on the remaining silo");
        await producing.CancelAsync();
        var produced = await producer;
        output.WriteLine($"{produced} events produced while the partitions moved");
        await scenario.WaitForRowsAsync(
            "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM public.events",
            [$"{produced}|{produced}|0|{produced - 1}"],
            first,
            s_within);
        await first.WaitForLogAsync("belongs to silo silo-b: draining it here");
    }

    /// <summary>Each partition's grain key and its rendezvous owner among <paramref name="silos"/>.</summary>
    private static Dictionary<string, string> Owners(string topic, int partitions, string[] silos) =>
        Enumerable.Range(0, partitions)
            .Select(p => KafkaGrainKeys.Partition(Pipeline, topic, p))
            .ToDictionary(key => key, key => RendezvousPlacement.Owner(KafkaPartitionGrain.GrainType, key, silos)!);

    /// <summary>Keyless insert events, 50 every 100 ms, until cancelled; returns how many were produced (seq 0..n-1).</summary>
    private static async Task<int> ProduceUntilCancelledAsync(KafkaSourceScenario scenario, string topic, CancellationToken stop)
    {
        var next = 0;
        while (!stop.IsCancellationRequested)
        {
            await scenario.ProduceAsync(topic, Enumerable.Range(next, 50).Select(i =>
                ((byte[]?)null, (byte[]?)Encoding.UTF8.GetBytes($$"""{"before": null, "after": {"seq": {{i}}}, "source": {"connector": "postgresql", "schema": "public", "table": "events"}, "op": "c"}"""))));
            next += 50;
            await Task.Delay(100, CancellationToken.None); // pacing the producer, not synchronisation
        }

        return next;
    }

    private static async Task<SentinelProcess> StartSecondSiloAsync(string file)
    {
        var port = SentinelProcess.FreePortPair();
        var config = await File.ReadAllTextAsync(file);
        var silo = config.Split('\n').Single(l => l.StartsWith("silo:", StringComparison.Ordinal));
        var secondFile = Path.ChangeExtension(file, ".silo-b.yaml");
        await File.WriteAllTextAsync(secondFile, config.Replace(silo, $"silo: {{ name: silo-b, httpPort: {port}, siloPort: {port + 1} }}", StringComparison.Ordinal));
        return await SentinelProcess.StartAsync(secondFile, port, s_within);
    }

    /// <summary>
    /// Watches for <paramref name="within"/> that each partition stays on its owner: its lease (control database)
    /// keeps that holder and its epoch, which grows with every activation of the partition anywhere.
    /// </summary>
    private static async Task StayAsync(KafkaSourceScenario scenario, Dictionary<string, string> owners, TimeSpan within)
    {
        var first = await LeasesAsync(scenario, owners.Keys);
        foreach (var (key, owner) in owners)
        {
            first.ShouldContainKey(key);
            first[key].ShouldStartWith($"{owner}|", customMessage: $"partition {key}'s lease once it is on its owner");
        }

        var watched = System.Diagnostics.Stopwatch.StartNew();
        while (watched.Elapsed < within)
        {
            // Sampling interval of the watch, not synchronisation: the epochs cover the time between samples.
            await Task.Delay(TimeSpan.FromSeconds(1));
            (await LeasesAsync(scenario, owners.Keys)).ShouldBe(first, $"partition leases (holder|epoch|released) {watched.Elapsed.TotalSeconds:0} s after the move");
        }
    }

    /// <summary>Each partition's lease as <c>silo|epoch|released</c>, by grain key.</summary>
    private static async Task<Dictionary<string, string>> LeasesAsync(KafkaSourceScenario scenario, IEnumerable<string> keys)
    {
        var rows = await scenario.Control.RowsAsync(
            $"SELECT grain_key, silo, epoch, released FROM sentinel.grain_lease WHERE grain_type = '{KafkaPartitionGrain.GrainType}' " +
            $"AND grain_key IN ({string.Join(", ", keys.Select(k => $"'{k.Replace("'", "''", StringComparison.Ordinal)}'"))})");
        return rows.Select(r => r.Split('|', 2)).ToDictionary(r => r[0], r => r[1], StringComparer.Ordinal);
    }

    /// <summary>Waits until every partition grain is active on its expected silo only (from <c>GET /api/grains</c>).</summary>
    private static async Task WaitForPlacementAsync(SentinelProcess silo, Dictionary<string, string> expected, string what)
    {
        using var http = new HttpClient { BaseAddress = silo.Address };
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var report = await http.GetFromJsonAsync<JsonElement>("api/grains");
                last = report.GetProperty("silos").ToString();
                var placed = report.GetProperty("silos").EnumerateArray()
                    .Where(s => s.GetProperty("grains").ValueKind == JsonValueKind.Array)
                    .SelectMany(s => s.GetProperty("grains").EnumerateArray().Select(g => (Silo: s.GetProperty("name").GetString()!, Grain: g.GetString()!)))
                    .Where(p => p.Grain.StartsWith(KafkaPartitionGrain.GrainType + "/", StringComparison.Ordinal))
                    .Select(p => (p.Silo, Key: p.Grain[(KafkaPartitionGrain.GrainType.Length + 1)..]))
                    .ToList();
                return placed.Count == expected.Count && placed.All(p => expected.TryGetValue(p.Key, out var owner) && owner == p.Silo);
            },
            s_within,
            () => $"{what}; last /api/grains silos: {last}");
    }
}
