using System.Diagnostics;
using System.Text.Json;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Grains;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary><c>GET /api/cluster</c> across two real <c>sentinel run</c> processes: every silo's grains, as that silo counts them.</summary>
public sealed class ClusterReportTests(ITestOutputHelper output)
{
    private const int Tables = 8;

    [Fact]
    public async Task A_silo_reports_the_other_silos_grains_as_that_silo_reports_them_and_an_error_once_it_is_gone()
    {
        await using var secured = await SecuredScenario.CreateAsync();
        var scenario = secured.Scenario;
        for (var t = 0; t < Tables; t++)
        {
            await scenario.Source.ExecuteAsync($"CREATE TABLE t{t} (id bigint PRIMARY KEY, v text); INSERT INTO t{t} SELECT g, 'v' || g FROM generate_series(1, 100) g;");
        }

        // A silo that owns pipeline p by rendezvous hashing starts first, so p and its table and sink grains run there
        // from the start and stay when test-silo joins: the report has grains to compare whatever the timing. (Moving
        // work to a joining silo is tested by the cluster and scaling tests.)
        var name = Enumerable.Range(1, 100).Select(i => $"second-silo-{i}")
            .First(n => RendezvousPlacement.Owner(SourceGrain.GrainType, PipelineScenario.Pipeline, ["test-silo", n]) == n);
        await using var second = await scenario.StartAnotherSiloAsync(name);
        using var http = new HttpClient { BaseAddress = second.Address, Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.WaitAsync(
            async () => (await http.GetStringAsync(new Uri("api/grains", UriKind.Relative))).Contains($"Source/{PipelineScenario.Pipeline}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60),
            () => $"{name} to run pipeline p; log:\n{second.Log}");
        await using var first = await scenario.StartSentinelAsync();

        // Counts move while grains settle, so compare until the two answers, taken back to back, agree.
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var fromFirst = Silo(await secured.GetJsonAsync("api/cluster"), name);
                var body = await http.GetStringAsync(new Uri("api/cluster", UriKind.Relative));
                secured.Record(body);
                var fromSecond = Silo(JsonDocument.Parse(body).RootElement, name);
                last = $"test-silo says {fromFirst}; {name} says {fromSecond}";
                return fromSecond.GetProperty("self").GetBoolean()
                    && fromSecond.GetProperty("grains").ValueKind == JsonValueKind.Object
                    && fromSecond.GetProperty("grains").EnumerateObject().Sum(g => g.Value.GetInt32()) > 0
                    && fromFirst.GetProperty("status").GetString() == "Active"
                    && !fromFirst.GetProperty("self").GetBoolean()
                    && fromFirst.GetProperty("error").ValueKind == JsonValueKind.Null
                    && fromFirst.GetProperty("grains").GetRawText() == fromSecond.GetProperty("grains").GetRawText();
            },
            TimeSpan.FromSeconds(60),
            () => $"test-silo to report {name}'s grains as {name} does; last: {last}");
        output.WriteLine(last);

        var status = await secured.VerbAsync(true, "status");
        status.ExitCode.ShouldBe(0, status.Output);
        // The silos table comes first; the pipelines table below names the second silo too (where p runs).
        var row = status.Output.Split('\n').First(l => l.TrimStart('│', ' ').StartsWith(name, StringComparison.Ordinal));
        row.ShouldMatch(@"(Source|Table|Sink) \d+", "the second silo's row lists its activations by type");

        // Gone without a goodbye: the first silo still answers at once, with the reason instead of the counts.
        await second.KillAsync();
        JsonElement gone = default;
        await Eventually.WaitAsync(
            async () =>
            {
                var stopwatch = Stopwatch.StartNew();
                var (code, body) = await secured.SendAsync(HttpMethod.Get, "api/cluster");
                code.ShouldBe(200, body);
                stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "a silo that does not answer costs at most the 2 s timeout");
                gone = Silo(JsonDocument.Parse(body).RootElement, name);
                return gone.GetProperty("grains").ValueKind == JsonValueKind.Null && gone.GetProperty("error").GetString() is { Length: > 0 };
            },
            TimeSpan.FromSeconds(30),
            () => $"{name} reported without grains and with an error after it was killed; last: {gone}");
        output.WriteLine(gone.ToString());
        Silo(await secured.GetJsonAsync("api/cluster"), "test-silo").GetProperty("grains").ValueKind.ShouldBe(JsonValueKind.Object);
    }

    private static JsonElement Silo(JsonElement cluster, string name) =>
        cluster.GetProperty("silos").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
}
