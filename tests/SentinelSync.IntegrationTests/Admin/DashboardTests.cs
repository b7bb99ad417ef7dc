using System.Text.Json.Nodes;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using SentinelSync.Testing.Browser;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary>The dashboard in real headless Chromium against a silo with a running pipeline.</summary>
public sealed class DashboardTests(ITestOutputHelper output)
{
    /// <summary>Where screenshots go: <c>SENTINEL_TEST_ARTIFACTS</c>, or <c>artifacts/</c> beside the test assembly.</summary>
    private static string ArtifactDirectory =>
        Environment.GetEnvironmentVariable("SENTINEL_TEST_ARTIFACTS") ?? Path.Combine(AppContext.BaseDirectory, "artifacts");

    [Fact]
    public async Task Dashboard_draws_live_lag_and_throughput_charts_for_a_running_pipeline()
    {
        await using var secured = await SecuredScenario.CreateAsync();
        var scenario = secured.Scenario;
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var workload = Workload.Start(scenario.Source);
        await using var sentinel = await scenario.StartSentinelAsync();
        await using var browser = await HeadlessChromium.StartAsync();

        await browser.NavigateAsync(new Uri(scenario.Server, $"dashboard#token={SecuredScenario.Token}"));

        // Live: several polls, the pipeline's table listed, every chart with points, throughput above zero.
        JsonNode? state = null;
        await Eventually.WaitAsync(
            async () =>
            {
                state = await browser.EvaluateAsync("""
                    ({
                      polls: window.sentinelDashboard?.polls ?? 0,
                      lastError: window.sentinelDashboard?.lastError ?? null,
                      rows: document.querySelector('#pipelines tbody')?.innerText ?? '',
                      silos: document.querySelector('#silos tbody')?.innerText ?? '',
                      charts: Object.fromEntries([...document.querySelectorAll('canvas')].map(c => [c.id, Number(c.dataset.points)])),
                      throughputLegend: document.getElementById('throughputLegend')?.innerText ?? ''
                    })
                    """);
                var charts = state!["charts"]!.AsObject();
                return (int)state["polls"]! >= 5
                    && ((string)state["rows"]!).Contains("public.items", StringComparison.Ordinal)
                    && ((string)state["silos"]!).Contains("test-silo", StringComparison.Ordinal)
                    && charts.Count == 5 && charts.All(c => (int)c.Value! > 0);
            },
            TimeSpan.FromSeconds(60),
            () => $"the dashboard to poll and draw every chart; page state: {state?.ToJsonString()}");

        // The throughput line is drawn in the first series colour: find its pixels on the canvas.
        await Eventually.WaitAsync(
            async () => (int)(await browser.EvaluateAsync("""
                (() => {
                  const c = document.getElementById('throughput'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let n = 0;
                  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - 88) < 40 && Math.abs(d[i + 1] - 166) < 40 && Math.abs(d[i + 2] - 255) < 40) n++;
                  return n;
                })()
                """))! > 20,
            TimeSpan.FromSeconds(30),
            () => "the throughput chart to show its line");

        var screenshot = await browser.ScreenshotAsync();
        Directory.CreateDirectory(ArtifactDirectory);
        var file = Path.Combine(ArtifactDirectory, "dashboard.png");
        await File.WriteAllBytesAsync(file, screenshot);
        output.WriteLine($"screenshot: {file}; page state: {state!.ToJsonString()}");
        screenshot.Length.ShouldBeGreaterThan(10_000);

        // The page's text holds the masked source, never the password.
        var text = (string)(await browser.EvaluateAsync("document.body.innerText"))!;
        text.ShouldContain("Password=********");
        text.ShouldNotContain(SecuredScenario.Password);
        sentinel.Log.ShouldNotContain(SecuredScenario.Password);

        // The Orleans dashboard, linked from the page, shows live call counters of the pipeline's grains.
        ((string?)await browser.EvaluateAsync("document.getElementById('orleans')?.getAttribute('href')")).ShouldBe("orleans/");
        await browser.NavigateAsync(new Uri(scenario.Server, "orleans/"));
        string orleans = "";
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    orleans = (string?)await browser.EvaluateAsync("document.body?.innerText ?? ''") ?? "";
                }
                catch (InvalidOperationException e)
                {
                    // The page is still loading (its scripts replace the document): look again.
                    orleans = e.Message;
                }

                return orleans.Contains("TableGrain", StringComparison.Ordinal) && orleans.Contains("PushAsync", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(60),
            () => $"the Orleans dashboard to list the grains; page text: {orleans[..Math.Min(orleans.Length, 2000)]}");
        await File.WriteAllBytesAsync(Path.Combine(ArtifactDirectory, "orleans-dashboard.png"), await browser.ScreenshotAsync());
        output.WriteLine($"Orleans dashboard: {orleans[..Math.Min(orleans.Length, 600)]}");
    }
}
