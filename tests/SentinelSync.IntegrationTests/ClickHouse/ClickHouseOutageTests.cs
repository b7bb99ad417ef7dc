using System.Diagnostics;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>The pipeline rides out ClickHouse being stopped (the shared server, so in its own collection).</summary>
[Collection(ClickHouseOutageCollection.Name)]
public sealed class ClickHouseOutageTests(ITestOutputHelper output)
{
    private const string PidFile = "/var/lib/sentinel/clickhouse/clickhouse-server.pid";
    private static readonly TimeSpan s_outage = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ClickHouse_stopped_for_30_s_under_writes_then_the_pipeline_converges_without_dead_letters()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 5_000);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(60), "items", "id", ClickHousePipelineTests.s_columns, ClickHousePipelineTests.s_sums);

        await using var workload = Workload.Start(scenario.Source);
        try
        {
            await StopClickHouseAsync();

            // The outage itself is the stimulus: writes go on for 30 s while every insert fails.
            var down = Stopwatch.StartNew();
            var commits = workload.Commits;
            await Eventually.WaitAsync(
                () => Task.FromResult(down.Elapsed >= s_outage && workload.Commits > commits + 100),
                s_outage + TimeSpan.FromSeconds(30),
                () => $"30 s of outage and 100 commits during it (commits: {workload.Commits - commits})");
            sentinel.HasExited.ShouldBeFalse(sentinel.Log);
            await sentinel.WaitForLogAsync("failed, retrying");
        }
        finally
        {
            await StartClickHouseAsync();
        }

        await workload.StopAsync();
        await scenario.WaitForClickHouseConvergenceAsync(TimeSpan.FromSeconds(120), "items", "id", ClickHousePipelineTests.s_columns, ClickHousePipelineTests.s_sums);
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0);
        output.WriteLine($"{workload.Commits} commits, {s_outage.TotalSeconds} s of ClickHouse outage");
    }

    private static async Task StopClickHouseAsync()
    {
        var pid = (await File.ReadAllTextAsync(PidFile)).Trim();
        var (exit, text) = await RunAsync("kill", pid);
        exit.ShouldBe(0, $"kill {pid}: {text}");

        // Wait for the process itself to end, not only its port: a server still shutting down would keep the
        // data directory from the one started after the outage.
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")), TimeSpan.FromSeconds(30), () => $"ClickHouse (pid {pid}) to exit");
        }
        catch (TimeoutException)
        {
            // A loaded server can take longer than that to shut down cleanly; the outage is what matters here.
            await RunAsync("kill", "-KILL", pid);
            await Eventually.WaitAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")), TimeSpan.FromSeconds(30), () => $"ClickHouse (pid {pid}) to exit after SIGKILL");
        }
    }

    /// <summary>Starts the server the way the development setup does (<c>eng/setup.sh</c>, idempotent) and waits for it.</summary>
    private static async Task StartClickHouseAsync()
    {
        var setup = FindSetupScript();
        var (exit, text) = await RunAsync("bash", setup);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.WaitAsync(() => PingsAsync(http), TimeSpan.FromSeconds(60), () => $"ClickHouse to answer again after `bash {setup}` (exit {exit}):\n{text}");
    }

    private static async Task<bool> PingsAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync(new Uri(TestServers.ClickHouse, "ping"))).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static string FindSetupScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "eng", "setup.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new FileNotFoundException($"eng/setup.sh not found above {AppContext.BaseDirectory}; restart ClickHouse by hand: bash eng/setup.sh");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await stdout + await stderr);
    }
}
