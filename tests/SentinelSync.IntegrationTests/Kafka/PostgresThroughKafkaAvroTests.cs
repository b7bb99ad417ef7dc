using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;
using SentinelSync.Testing.SchemaRegistry;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// Both Kafka directions with <c>format: debezium-avro</c> in one real <c>sentinel run</c>: Postgres → Kafka sink
/// (Avro through the schema registry) → librdkafka's mock cluster → Kafka source → Postgres. The registry is the
/// STAND-IN (<see cref="SchemaRegistryStandIn"/>), or a real one when <c>SENTINEL_TEST_SCHEMA_REGISTRY</c> is set.
/// Covers a type corpus (numeric precision, variable-scale numeric, timestamps, dates, times, smallint, real, arrays,
/// jsonb, uuid, bytea), unchanged TOAST values crossing as the placeholder, deletes with tombstones, and an added
/// column registering a second schema version.
/// </summary>
public sealed class PostgresThroughKafkaAvroTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(240);

    private const string Compared = """
        SELECT count(*) || ':' || coalesce(md5(string_agg(concat_ws('|', id, amount, ratio, placed, (placed_tz AT TIME ZONE 'UTC'), day, clock,
               small, big, r, dbl, flag, tags::text, doc::text, u, encode(body, 'hex'), md5(note), extra), E'\n' ORDER BY id)), '')
        FROM public.items
        """;

    [Fact]
    public Task Postgres_to_kafka_avro_to_postgres_keeps_types_toast_deletes_and_an_added_column() => RunAsync(real: false);

    [EnvironmentFact(SchemaRegistryStandIn.RegistryVariable, "schema registry")]
    public Task Postgres_to_kafka_avro_to_postgres_against_a_real_registry() => RunAsync(real: true);

    private async Task RunAsync(bool real)
    {
        await using var registry = TestSchemaRegistry.Start(real);
        await using var trip = await KafkaRoundTrip.CreateAsync();
        var (source, destination) = (trip.Source, trip.Destination);
        await trip.CreateTopicAsync("public.items", 2);

        await source.ExecuteAsync("""
            CREATE TABLE public.items (id integer PRIMARY KEY, amount numeric(12,2), ratio numeric, placed timestamp, placed_tz timestamptz,
                day date, clock time, small smallint, big bigint, r real, dbl double precision, flag boolean, tags text[], doc jsonb,
                u uuid, body bytea, note text);
            ALTER TABLE public.items ALTER COLUMN note SET STORAGE EXTERNAL;
            INSERT INTO public.items
            SELECT i, i * 1.25 - 100, CASE WHEN i % 2 = 0 THEN 1.0 / i ELSE 123456789012345678901234567890.000000001 * i END,
                   timestamp '2024-01-01 00:00:00.123456' + i * interval '1 hour', timestamptz '2024-06-01 12:00:00.5+02' + i * interval '1 day',
                   date '2000-02-28' + i, time '23:59:59.999999' - i * interval '1 minute', (i - 50)::smallint, i * 10000000000, i / 3.0::real, i / 7.0,
                   i % 2 = 0, ARRAY['a' || i, NULL, 'q"uote'], jsonb_build_object('i', i, 'list', jsonb_build_array(1, 'x')),
                   md5(i::text)::uuid, decode(md5(i::text), 'hex'),
                   CASE WHEN i = 2 THEN NULL ELSE (SELECT string_agg(md5(i::text || '-' || g), '') FROM generate_series(1, 80) g) END
            FROM generate_series(1, 200) i;
            INSERT INTO public.items (id) VALUES (1000);
            """);
        var avro = $$"""format: debezium-avro, schemaRegistry: { url: "{{registry.Url}}" }""";
        var (file, port) = await trip.WriteConfigAsync(avro, avro);

        await using var sentinel = await SentinelProcess.StartAsync(file, port);
        await WaitForSameAsync(source, destination, sentinel, withExtra: false);

        // Updates that leave the TOASTed note alone, deletes (each followed by a tombstone), then an added column.
        await source.ExecuteAsync("UPDATE public.items SET amount = amount + 0.01, tags = tags || 'more'::text WHERE id % 3 = 0");
        await source.ExecuteAsync("DELETE FROM public.items WHERE id % 10 = 1");
        await source.ExecuteAsync("ALTER TABLE public.items ADD COLUMN extra text");
        await source.ExecuteAsync("UPDATE public.items SET extra = 'x' || id WHERE id % 4 = 0");
        await source.ExecuteAsync("INSERT INTO public.items (id, amount, extra) VALUES (2001, 99999.99, 'new')");
        await WaitForSameAsync(source, destination, sentinel, withExtra: true);

        (await destination.ScalarAsync<long>("SELECT count(*) FROM public.items WHERE note LIKE '%__debezium_unavailable_value%'")).ShouldBe(0);
        // Types as the Avro schemas carry them (arrays travel as their Postgres text, as the JSON format's do).
        (await destination.ScalarAsync<string>("""
            SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = 'public.items'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\_%'
            """)).ShouldBe(
            "id integer, amount numeric(12,2), ratio numeric, placed timestamp without time zone, placed_tz timestamp with time zone, day date, " +
            "clock time without time zone, small smallint, big bigint, r real, dbl double precision, flag boolean, tags text, doc jsonb, u uuid, " +
            "body bytea, note text, extra text");
        var versions = await registry.Client.GetSubjectVersionsAsync($"{trip.Prefix}.public.items-value");
        versions.Count.ShouldBeGreaterThanOrEqualTo(2, "the added column registers a new value schema version");
        registry.StandIn?.Unhandled.ShouldBeEmpty();
        var tombstones = await KafkaTombstonesAsync(trip.Kafka, $"{trip.Prefix}.public.items");
        tombstones.ShouldBeGreaterThanOrEqualTo(20, "every delete is followed by a tombstone");
        output.WriteLine($"value schema versions {string.Join(',', versions)}; {tombstones} tombstones");
    }

    private static Task WaitForSameAsync(PostgresDatabase source, PostgresDatabase destination, SentinelProcess sentinel, bool withExtra)
    {
        var query = withExtra ? Compared : Compared.Replace(", extra)", ")", StringComparison.Ordinal);
        return KafkaRoundTrip.WaitForEqualAsync("public.items identical at both ends", () => source.RowsAsync(query), () => destination.RowsAsync(query), sentinel, s_within);
    }

    private static async Task<int> KafkaTombstonesAsync(KafkaTestCluster kafka, string topic) =>
        (await kafka.ReadAllAsync(topic, expected: 1, TimeSpan.FromSeconds(60))).Count(m => m.Message.Value is null);
}
