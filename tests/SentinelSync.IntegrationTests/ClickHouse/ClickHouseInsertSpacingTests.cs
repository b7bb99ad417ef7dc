using System.Diagnostics;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using SentinelSync.Testing.Metrics;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// <c>clickhouse.minInsertInterval</c> through the real <c>sentinel run</c> process: a table changing faster than the
/// interval reaches ClickHouse in inserts spaced by it, and a change after a quiet spell is inserted at once.
/// Inserts are counted from the sink's <c>sentinel_sink_batch_size</c> histogram on /metrics.
/// </summary>
public sealed class ClickHouseInsertSpacingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_busy_table_is_inserted_once_per_interval_and_a_change_after_a_quiet_spell_at_once()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.ClickHouse);
        var clickHouse = scenario.ClickHouse!;
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        var spaced = config.Replace($"database: {clickHouse.Name} }}", $"database: {clickHouse.Name}, minInsertInterval: \"00:00:05\" }}", StringComparison.Ordinal);
        spaced.ShouldNotBe(config, "the scenario's ClickHouse sink line changed shape");
        await File.WriteAllTextAsync(scenario.ConfigFile, spaced);
        await scenario.Source.ExecuteAsync("CREATE TABLE spaced (id bigint PRIMARY KEY, note text NOT NULL)");
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = scenario.Server };
        var before = await InsertsAsync(http);

        // 20 transactions 50 ms apart (about 1 s): pushed one by one, each could be its own insert.
        for (var id = 1; id <= 20; id++)
        {
            await scenario.Source.ExecuteAsync($"INSERT INTO spaced VALUES ({id}, 'busy')");
            await Task.Delay(50);
        }

        await WaitForRowsAsync(clickHouse, 20, sentinel);
        var busy = await InsertsAsync(http) - before;
        output.WriteLine($"20 transactions in {busy} inserts");
        busy.ShouldBeInRange(1, 3, "the first change goes at once, the rest gather behind the 5 s interval");

        // Quiet for longer than the interval, then one change: no waiting.
        await Task.Delay(s_interval + TimeSpan.FromSeconds(1));
        await scenario.Source.ExecuteAsync("INSERT INTO spaced VALUES (21, 'after a quiet spell')");
        var watch = Stopwatch.StartNew();
        await WaitForRowsAsync(clickHouse, 21, sentinel);
        output.WriteLine($"a change after a quiet spell visible after {watch.Elapsed.TotalMilliseconds:N0} ms");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3), "a change after a quiet spell must not wait out the interval");
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    private static Task WaitForRowsAsync(ClickHouseDatabase clickHouse, long rows, SentinelProcess sentinel) =>
        Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await clickHouse.ScalarAsync<long>("SELECT count() FROM spaced FINAL") == rows;
                }
                catch (Exception e) when (ClickHouseDatabase.IsMissingTable(e))
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            () => $"{rows} rows in ClickHouse; log:\n{sentinel.Log}");

    /// <summary>The ClickHouse sink's applies so far: the count of its batch-size histogram.</summary>
    private static async Task<double> InsertsAsync(HttpClient http) =>
        ExpositionParser.Parse(await http.GetStringAsync("/metrics"))
            .Samples("sentinel_sink_batch_size_count")
            .Where(s => s.Labels.TryGetValue("sink", out var sink) && sink == PipelineScenario.ClickHouseSinkName)
            .Sum(s => s.Value);
}
