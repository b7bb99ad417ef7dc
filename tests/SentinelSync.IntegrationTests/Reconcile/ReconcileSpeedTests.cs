using System.Globalization;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Reconcile;

/// <summary>
/// How fast checksum mode verifies a large table (both sides hashing 10,000-row key ranges in parallel).
/// <c>SENTINEL_TEST_RECONCILE_ROWS</c> sets the size (default 300,000; the README's figure is from 5,000,000).
/// </summary>
public sealed class ReconcileSpeedTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_large_table_is_verified_in_checksum_mode_and_found_equal()
    {
        var rows = long.Parse(Environment.GetEnvironmentVariable("SENTINEL_TEST_RECONCILE_ROWS") ?? "300000", CultureInfo.InvariantCulture);
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync("CREATE TABLE big (id bigint PRIMARY KEY, name text NOT NULL, price numeric(12,2), note text, at timestamptz NOT NULL)");
        for (var from = 1L; from <= rows; from += 250_000)
        {
            await scenario.Source.ExecuteAsync($"""
                INSERT INTO big SELECT i, 'item ' || i, i * 1.25, CASE WHEN i % 10 = 0 THEN md5(i::text) END, timestamptz '2024-01-01' + i * interval '1 second'
                FROM generate_series({from}, {Math.Min(rows, from + 249_999)}) i
                """);
        }

        await scenario.Source.ExecuteAsync("ANALYZE big");
        await using var sentinel = await scenario.StartSentinelAsync();
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM big") == rows;
                }
                catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
                {
                    return false;
                }
            },
            TimeSpan.FromMinutes(10),
            () => "the snapshot of big to reach the destination");

        var run = await ReconcileApi.RunAsync(scenario, new { mode = "checksum" }, TimeSpan.FromMinutes(10));
        var table = ReconcileApi.Table(run, "public.big");
        var seconds = table.GetProperty("seconds").GetDouble();
        output.WriteLine(run.ToString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checksum of {rows:N0} rows in {table.GetProperty("chunks").GetInt32()} chunks: {seconds:0.0} s ({rows / seconds:N0} rows/s); run {run.GetProperty("seconds")} s"));
        run.GetProperty("status").GetString().ShouldBe("ok");
        table.GetProperty("rowsChecked").GetInt64().ShouldBe(rows);
        table.GetProperty("destinationRows").GetInt64().ShouldBe(rows);
    }
}
