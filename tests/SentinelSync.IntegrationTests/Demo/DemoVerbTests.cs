using Npgsql;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Demo;

/// <summary>
/// <c>sentinel demo</c> as the README's first command runs it, against the test clusters (it recreates its own
/// <c>sentinel_demo*</c> databases there, so a demo running beside the tests would be restarted from scratch).
/// </summary>
public sealed class DemoVerbTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Replicates_orders_and_leaves_no_slot_holding_wal_once_stopped()
    {
        await TestServers.EnsurePostgresAsync();
        await TestServers.EnsurePostgresDestinationAsync();
        var log = Path.Combine(Path.GetTempPath(), $"sentinel-demo-{Guid.NewGuid():N}.log");
        await using var demo = SentinelProcess.StartVerb(log, "demo", "--postgres", TestServers.Postgres, "--destination", TestServers.PostgresDestination, "--port", SentinelProcess.FreePortPair().ToString(System.Globalization.CultureInfo.InvariantCulture));

        // A progress line whose warehouse count is a number above zero: orders arrived through the slot.
        await Eventually.WaitAsync(
            () => Task.FromResult(demo.HasExited || System.Text.RegularExpressions.Regex.IsMatch(demo.Log, @"warehouse [1-9]\d*")),
            _timeout,
            () => $"replicated orders; log:\n{demo.LogTail()}");
        demo.HasExited.ShouldBeFalse(demo.LogTail());
        (await SlotsAsync()).ShouldBe(1, "the demo streams through its slot");

        (await demo.StopAsync()).ShouldBe(0, demo.LogTail());
        demo.Log.ShouldContain("Replication slot sentinel_demo removed", customMessage: demo.LogTail());
        (await SlotsAsync()).ShouldBe(0, "a slot left after the demo would hold the server's WAL until the next one");
        File.Delete(log);
    }

    private static async Task<long> SlotsAsync()
    {
        await using var connection = new NpgsqlConnection(TestServers.Postgres);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'sentinel_demo'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
