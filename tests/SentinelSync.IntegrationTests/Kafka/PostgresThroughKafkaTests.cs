using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// The two Kafka directions composed in one real <c>sentinel run</c>: pipeline A streams a Postgres source into
/// Kafka (the Kafka sink, Debezium JSON), pipeline B reads those topics back into a Postgres destination (the Kafka
/// source). Unchanged TOAST values cross Kafka as Debezium's placeholder and must come out as the destination's own
/// value; a SIGKILL mid-stream must leave both sides exactly once.
/// </summary>
public sealed class PostgresThroughKafkaTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task Postgres_to_kafka_to_postgres_converges_through_a_sigkill_with_toast_kept()
    {
        await using var trip = await KafkaRoundTrip.CreateAsync();
        var (source, destination) = (trip.Source, trip.Destination);
        await using var clickHouse = await ClickHouseDatabase.CreateAsync("pgkafka_ch");
        await trip.CreateTopicAsync("public.orders", 3);

        // note: 2,560 characters stored out of line uncompressed (TOAST, storage external), so updates that leave it
        // alone send pgoutput's "unchanged". Few rows: the mock cluster keeps only about 5 MB per partition.
        await source.ExecuteAsync("""
            CREATE TABLE public.orders (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), placed timestamp, note text);
            ALTER TABLE public.orders ALTER COLUMN note SET STORAGE EXTERNAL;
            INSERT INTO public.orders
            SELECT i, 'customer ' || i, i * 1.25, timestamp '2024-01-01 00:00:00' + i * interval '1 second',
                   CASE WHEN i = 2 THEN NULL ELSE (SELECT string_agg(md5(i::text || '-' || g), '') FROM generate_series(1, 80) g) END
            FROM generate_series(1, 600) i;
            """);
        var (file, port) = await trip.WriteConfigAsync(
            "format: debezium-json, partitionsPerTopic: 3",
            "format: debezium-json",
            $$"""
                  - name: analytics
                    clickhouse: { url: "{{clickHouse.Server}}", database: {{clickHouse.Name}} }

            """);

        await using (var first = await SentinelProcess.StartAsync(file, port))
        {
            await WaitForRowsAsync(destination, 1, first);
            // Updates that leave the TOASTed note alone, a key change, deletes, inserts: while the silo streams.
            await source.ExecuteAsync("UPDATE public.orders SET amount = amount + 1 WHERE id % 3 = 0");
            await source.ExecuteAsync("DELETE FROM public.orders WHERE id % 10 = 1");
            await first.KillAsync();
        }

        var atKill = await destination.CountRowsAsync("public.orders");
        output.WriteLine($"{atKill} rows at the destination when the silo was killed");
        await source.ExecuteAsync("UPDATE public.orders SET customer = customer || ' (vip)' WHERE id % 7 = 0");
        // A key change of a row without a TOASTed value (with one, the new key's create carries Debezium's placeholder
        // and no consumer can rebuild the row: see the README's Kafka source limits).
        await source.ExecuteAsync("UPDATE public.orders SET id = id + 100000 WHERE id = 2");
        await source.ExecuteAsync("INSERT INTO public.orders (id, customer, amount, placed, note) SELECT i, 'late ' || i, 0.01, NULL, NULL FROM generate_series(3001, 3100) i");
        await using var second = await SentinelProcess.StartAsync(file, port);

        await KafkaRoundTrip.WaitForEqualAsync(
            "public.orders identical at both ends",
            async () => [(await PipelineScenario.ChecksumAsync(source, "public.orders", "id")).ToString()],
            async () => [(await PipelineScenario.ChecksumAsync(destination, "public.orders", "id")).ToString()],
            second,
            s_within);
        (await destination.ScalarAsync<long>("SELECT count(*) FROM public.orders WHERE note LIKE '%__debezium_unavailable_value%'")).ShouldBe(0);

        // ClickHouse's live rows: the same keys, amounts, customers and notes (unchanged ones completed from its last row).
        var expected = await source.ScalarAsync<string>(
            "SELECT count(*) || '|' || sum(id) || '|' || sum(amount) || '|' || sum(length(customer)) || '|' || coalesce(sum(length(note)), 0) || '|' || count(note) FROM public.orders");
        var summary = "";
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    summary = (await clickHouse.QueryAsync(
                        "SELECT concat(toString(count()), '|', toString(sum(id)), '|', toString(sum(amount)), '|', toString(sum(length(customer))), '|', toString(sum(ifNull(length(note), 0))), '|', toString(count(note))) " +
                        "FROM orders FINAL WHERE _deleted = 0 FORMAT TabSeparated")).Trim();
                }
                catch (InvalidOperationException e)
                {
                    summary = e.Message;
                }

                return summary == expected;
            },
            s_within,
            () => $"ClickHouse orders to match the source ({expected}); last: {summary}");
    }

    private static async Task WaitForRowsAsync(PostgresDatabase database, long atLeast, SentinelProcess sentinel) =>
        await Eventually.WaitAsync(async () => await database.CountRowsAsync("public.orders") >= atLeast, s_within, () => $"{atLeast} rows at the destination; log:\n{sentinel.LogTail()}");
}
