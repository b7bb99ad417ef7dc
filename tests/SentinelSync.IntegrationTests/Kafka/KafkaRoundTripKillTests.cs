using System.Globalization;
using System.Text;
using Confluent.Kafka;
using SentinelSync.Replication.Kafka.Debezium;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// Issue 15, item 6: Postgres → Kafka → Postgres and ClickHouse as two separate silos, as users deploy it — pipeline A
/// (<c>postgres → kafka</c>) in one <c>sentinel run</c>, pipeline B (<c>kafka → postgres + clickhouse</c>) in another,
/// each its own cluster (own control database) — with a SIGKILL of each side, then of both at once, while a writer
/// keeps changing four source tables. The Kafka cluster (librdkafka's mock in this test process, or SENTINEL_TEST_KAFKA)
/// outlives every kill. Afterwards every keyed table must equal the source at both destinations, and the keyless
/// table must hold every source row, each Kafka message of it applied exactly once at the Postgres destination.
/// </summary>
public sealed class KafkaRoundTripKillTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task Postgres_to_kafka_to_postgres_and_clickhouse_converge_through_sigkills_of_either_silo()
    {
        await using var trip = await KafkaRoundTrip.CreateAsync();
        var (source, destination, controlA) = (trip.Source, trip.Destination, trip.Control);
        await using var controlB = await PostgresDatabase.CreateAsync(TestServers.Postgres, "rt_ctl_b");
        await using var clickHouse = await ClickHouseDatabase.CreateAsync("rt_ch");
        foreach (var table in RoundTripTable.All)
        {
            await trip.CreateTopicAsync($"public.{table.Name}", 3);
        }

        await source.ExecuteAsync(RoundTripWorkload.Schema + RoundTripWorkload.Seed);
        var producer = await KafkaRoundTrip.WriteConfigAsync(controlA, "producer", trip.ToKafka("format: debezium-json, compression: lz4"));
        var consumer = await KafkaRoundTrip.WriteConfigAsync(controlB, "consumer", trip.FromKafka("format: debezium-json", $$"""
                  - name: analytics
                    clickhouse: { url: "{{clickHouse.Server}}", database: {{clickHouse.Name}} }

            """));

        var a = await SentinelProcess.StartAsync(producer.File, producer.Port);
        var b = await SentinelProcess.StartAsync(consumer.File, consumer.Port);
        try
        {
            await using var workload = RoundTripWorkload.Start(source);
            var audit = RoundTripTable.All.Single(t => t.Keyless);
            await WaitForProgressAsync(destination, workload, b, "the first streamed changes at the destination");

            await a.KillAsync();
            output.WriteLine($"killed A after {workload.Changes} changes");
            await WaitForCommitsAsync(workload, 100, "while A is down");
            a = await SentinelProcess.StartAsync(producer.File, producer.Port);
            await WaitForProgressAsync(destination, workload, b, "changes flowing again after A's restart");

            await b.KillAsync();
            output.WriteLine($"killed B after {workload.Changes} changes");
            await WaitForCommitsAsync(workload, 100, "while B is down");
            b = await SentinelProcess.StartAsync(consumer.File, consumer.Port);
            await WaitForProgressAsync(destination, workload, b, "changes flowing again after B's restart");

            await Task.WhenAll(a.KillAsync(), b.KillAsync());
            output.WriteLine($"killed both after {workload.Changes} changes");
            await WaitForCommitsAsync(workload, 100, "while both are down");
            a = await SentinelProcess.StartAsync(producer.File, producer.Port);
            b = await SentinelProcess.StartAsync(consumer.File, consumer.Port);
            await WaitForProgressAsync(destination, workload, b, "changes flowing again after both restarted");
            await workload.StopAsync();
            output.WriteLine($"{workload.Commits} source transactions, {workload.Changes} row changes after the seed");
            workload.Changes.ShouldBeGreaterThan(2_000, "a few thousand changes must cross Kafka for this test to mean anything");

            foreach (var table in RoundTripTable.All)
            {
                await WaitForEqualAsync($"Postgres {table.Name}", () => table.PostgresRowsAsync(source), () => table.PostgresRowsAsync(destination), b);
                await WaitForEqualAsync($"ClickHouse {table.Name}", () => table.ExpectedClickHouseRowsAsync(source), () => table.ClickHouseRowsAsync(clickHouse), b);
            }

            // The keyless table shows doubling: every message of its topic applied once at the Postgres destination.
            // A repeat in the topic (the Kafka sink is at least once: a SIGKILL between the brokers' acknowledgement
            // and the stored position sends the batch again) is a message of its own, so it is counted, not hidden.
            var sourceAudit = await source.ScalarAsync<long>("SELECT count(*) FROM audit");
            var messages = await trip.Kafka.ReadAllAsync($"{trip.Prefix}.public.audit", (int)sourceAudit, TimeSpan.FromSeconds(60));
            var positions = messages.Select(Position).ToList();
            positions.Distinct().Count().ShouldBe((int)sourceAudit, "every audit row in Kafka (distinct sentinel.position headers)");
            (await destination.ScalarAsync<long>("SELECT count(*) FROM audit")).ShouldBe(messages.Count, "each audit message applied exactly once at the Postgres destination");
            output.WriteLine($"audit: {sourceAudit} rows, {messages.Count} messages ({messages.Count - sourceAudit} repeats sent by A), ClickHouse rows {await clickHouse.ScalarAsync<long>("SELECT count() FROM audit")}");

            (await controlA.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, a.Log);
            (await controlB.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, b.Log);
            (await destination.ScalarAsync<long>("SELECT count(*) FROM customers WHERE note LIKE '%__debezium_unavailable_value%'")).ShouldBe(0);
            (await b.StopAsync()).ShouldBe(0, b.Log);
            (await a.StopAsync()).ShouldBe(0, a.Log);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    /// <summary>Waits until the destination's audit table grew by 20 rows while the writer commits: both silos move changes.</summary>
    private static async Task WaitForProgressAsync(PostgresDatabase destination, RoundTripWorkload workload, SentinelProcess b, string phase)
    {
        var before = await destination.CountRowsAsync("public.audit");
        var last = before;
        await Eventually.WaitAsync(
            async () => (last = await destination.CountRowsAsync("public.audit")) >= before + 20,
            s_within,
            () => $"{phase}: destination audit rows from {before} to grow by 20, last {last} (writer at {workload.Commits} commits); B log tail:\n{b.LogTail()}");
    }

    private static async Task WaitForCommitsAsync(RoundTripWorkload workload, int more, string phase)
    {
        var target = workload.Commits + more;
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits >= target), s_within, () => $"{more} source commits {phase}");
    }

    private static Task WaitForEqualAsync(string what, Func<Task<List<string>>> expected, Func<Task<List<string>>> actual, SentinelProcess b) =>
        KafkaRoundTrip.WaitForEqualAsync($"{what} identical to the source (B's log)", expected, actual, b, s_within);

    private static string Position(ConsumeResult<byte[]?, byte[]?> message) =>
        message.Message.Headers.TryGetLastBytes(DebeziumEnvelope.PositionHeader, out var bytes)
            ? Encoding.ASCII.GetString(bytes)
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"message at {message.TopicPartitionOffset} has no {DebeziumEnvelope.PositionHeader} header"));
}
