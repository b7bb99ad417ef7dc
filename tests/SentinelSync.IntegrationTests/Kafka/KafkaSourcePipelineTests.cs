using Xunit.Abstractions;
using System.Text;
using SentinelSync.Testing;
using SentinelSync.Testing.Kafka;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// Kafka source → Postgres (and ClickHouse) through a real <c>sentinel run</c>, against librdkafka's mock cluster
/// (or SENTINEL_TEST_KAFKA): the connectors' documented message shapes, unavailable-value placeholders, deletes,
/// tombstones, undecodable messages, and a SIGKILL mid-stream.
/// </summary>
public sealed class KafkaSourcePipelineTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Debezium_fixtures_of_postgres_mysql_and_cassandra_reach_postgres_with_placeholders_kept_and_deletes_applied()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        var topics = new List<string>();
        foreach (var fixture in new[] { "postgres-customers-schema", "postgres-orders-schemaless", "mysql-products-schema", "cassandra-users-schemaless" })
        {
            topics.Add(await scenario.ProduceFixtureAsync(KafkaFixture.Load(fixture)));
        }

        var (file, port) = await scenario.WriteConfigAsync(("dbz", "debezium-json", [.. topics]));
        await using var sentinel = await SentinelProcess.StartAsync(file, port);

        // 1001 deleted; 1004's notes kept through the update that carried the placeholder; 1005 added the phone column.
        await scenario.WaitForRowsAsync(
            "SELECT id, first_name, email, balance::text, birth::text, created::text, notes, phone FROM inventory.customers ORDER BY id",
            [
                "1004|Anne Marie|annek@noanswer.org|-0.05|2020-02-29|2024-03-01 12:34:56.789012|a note long enough to be TOASTed|NULL",
                "1005|Edward|ed@walker.com|1234.50|NULL|2024-03-01 12:34:56.789012|NULL|+1 555 0100",
            ],
            sentinel,
            s_within);
        (await scenario.RowsAsync("SELECT (updated_at AT TIME ZONE 'UTC')::text FROM inventory.customers WHERE id = 1005"))
            .ShouldBe(["2024-03-01 10:35:00"]);
        (await scenario.RowsAsync("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'inventory.customers'::regclass AND attname IN ('balance', 'birth', 'created', 'updated_at') ORDER BY attnum"))
            .ShouldBe(["numeric(10,2)", "date", "timestamp without time zone", "timestamp with time zone"]);

        await scenario.WaitForRowsAsync(
            "SELECT id, quantity, price::text, comment, blob FROM inventory.orders ORDER BY id",
            ["10001|3|12.50|first|3q2+7w=="],
            sentinel,
            s_within);
        await scenario.WaitForRowsAsync(
            "SELECT id, name, weight::text, active::text, added::text FROM inventory.products ORDER BY id",
            ["101|scooter|5.5|false|2024-03-01 12:34:56.789"],
            sentinel,
            s_within);
        await scenario.WaitForRowsAsync("SELECT id, name, age FROM ks.users ORDER BY id", ["u1|Ada|37"], sentinel, s_within);

        // Each sink stored its offset per table and partition, in the destination.
        var offsets = await scenario.RowsAsync("""SELECT source_table FROM "_sentinel".offsets WHERE sink = 'warehouse' ORDER BY 1""");
        offsets.ShouldNotBeEmpty();
        offsets.ShouldAllBe(o => o.Contains("@kafka:" + scenario.Prefix, StringComparison.Ordinal));
        await sentinel.WaitForLogAsync("unknown envelope field");
        await sentinel.WaitForLogAsync("future_field");
    }

    [Fact]
    public async Task Scylla_fixture_reaches_postgres_and_clickhouse_with_unwritten_cells_kept()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync(clickHouse: true);
        var topic = await scenario.ProduceFixtureAsync(KafkaFixture.Load("scylla-t-schema"));
        var (file, port) = await scenario.WriteConfigAsync(("scylla", "scylla-cdc", [topic]));
        await using var sentinel = await SentinelProcess.StartAsync(file, port);

        // (1,1): v set, then set to NULL; n written once and kept by both updates. (1,2) inserted, then deleted.
        await scenario.WaitForRowsAsync("SELECT pk, ck, v, n FROM ks.t ORDER BY pk, ck", ["1|1|NULL|7"], sentinel, s_within);
        var clickHouse = scenario.ClickHouse!;
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    last = (await clickHouse.QueryAsync("SELECT pk, ck, ifNull(v, 'NULL'), n FROM ks__t FINAL WHERE _deleted = 0 ORDER BY pk, ck FORMAT TabSeparated")).Trim();
                }
                catch (InvalidOperationException e)
                {
                    last = e.Message;
                }

                return last == "1\t1\tNULL\t7";
            },
            s_within,
            () => $"ClickHouse ks__t to hold (1,1,NULL,7); last: {last}; log:\n{sentinel.LogTail()}");
    }

    [Fact]
    public async Task An_undecodable_message_is_dead_lettered_with_its_place_and_its_key_waits_behind_it_while_others_flow()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        var topic = scenario.Topic("dbserver1.inventory.items");
        await scenario.Kafka.CreateTopicAsync(topic, 1);
        static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
        static byte[] Insert(int id, string name) => Json($$"""{"before": null, "after": {"id": {{id}}, "name": "{{name}}"}, "source": {"connector": "postgresql", "schema": "inventory", "table": "items"}, "op": "c"}""");
        await scenario.ProduceAsync(topic, [
            (Json("""{"id": 1}"""), Insert(1, "one")),
            (Json("""{"id": 2}"""), Json("{this is not json")),
            (Json("""{"id": 2}"""), Insert(2, "two, behind the poison")),
            (Json("""{"id": 3}"""), Insert(3, "three")),
        ]);
        var (file, port) = await scenario.WriteConfigAsync(("dbz", "debezium-json", [topic]));
        await using var sentinel = await SentinelProcess.StartAsync(file, port);

        await scenario.WaitForRowsAsync("SELECT id, name FROM inventory.items ORDER BY id", ["1|one", "3|three"], sentinel, s_within);
        var letters = await scenario.Control.RowsAsync("""
            SELECT sink, source_table, row_key, position_lsn - 1, change->'values'->0->>'text', change->'values'->2->>'text', error
            FROM sentinel.dead_letter ORDER BY id
            """);
        letters.Count.ShouldBe(2);
        letters[0].ShouldStartWith($"(source)|kafka.{topic}/0|{{\"id\": 2}}|1|{topic}|1|the value is not JSON");
        letters[1].ShouldStartWith($"(source)|kafka.{topic}/0|{{\"id\": 2}}|2|{topic}|2|An earlier message of this key could not be decoded");

        // Read again after a restart, the poison message is not dead-lettered twice.
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        await using var again = await SentinelProcess.StartAsync(file, port);
        await again.WaitForLogAsync("reads from offset", s_within);
        await Task.Delay(TimeSpan.FromSeconds(3));
        (await scenario.Control.RowsAsync("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(["2"]);
    }

    [Fact]
    public async Task A_masking_sink_gets_masked_values_and_an_undecodable_message_is_dead_lettered_without_its_value()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        var topic = scenario.Topic("dbserver1.inventory.people");
        await scenario.Kafka.CreateTopicAsync(topic, 1);
        static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
        static byte[] Insert(int id, string email) => Json($$"""{"before": null, "after": {"id": {{id}}, "email": "{{email}}", "notes": "n{{id}}"}, "source": {"connector": "postgresql", "schema": "inventory", "table": "people"}, "op": "c"}""");
        await scenario.ProduceAsync(topic, [
            (Json("""{"id": 1}"""), Insert(1, "ada@example.com")),
            (Json("""{"id": 2}"""), Json("""{"after": {"id": 2, "email": "grace@example.com" """)),
            (Json("""{"id": 3}"""), Insert(3, "alan@example.com")),
        ]);
        scenario.SinkTransforms = "[{ table: inventory.people, mask: { email: redact }, exclude: [notes] }]";
        var (file, port) = await scenario.WriteConfigAsync(("dbz", "debezium-json", [topic]));
        await using var sentinel = await SentinelProcess.StartAsync(file, port);

        await scenario.WaitForRowsAsync("SELECT id, email FROM inventory.people ORDER BY id", ["1|[redacted]", "3|[redacted]"], sentinel, s_within);
        (await scenario.RowsAsync("SELECT count(*) FROM information_schema.columns WHERE table_name = 'people' AND column_name = 'notes'")).ShouldBe(["0"]);
        var letters = await scenario.Control.RowsAsync("SELECT change->'values'->4->>'text' FROM sentinel.dead_letter ORDER BY id");
        letters.ShouldBe([$"(withheld: a sink of pipeline 'dbz' masks or leaves out columns; 49 bytes at {topic} partition 0 offset 1)"]);
        (await scenario.Control.RowsAsync("SELECT count(*) FROM sentinel.dead_letter WHERE change::text LIKE '%grace%'")).ShouldBe(["0"]);
    }

    [Fact]
    public async Task Sigkill_mid_stream_resumes_from_the_destinations_offsets_with_nothing_doubled()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        var topic = scenario.Topic("dbserver1.public.events");
        await scenario.Kafka.CreateTopicAsync(topic, 3);

        // Keyless events: the destination table has no key, so a change applied twice would be a second row.
        static IEnumerable<(byte[]? Key, byte[]? Value)> Events(int from, int count) => Enumerable.Range(from, count).Select(i =>
            ((byte[]?)null, (byte[]?)Encoding.UTF8.GetBytes($$"""{"before": null, "after": {"seq": {{i}}, "payload": "event {{i}}"}, "source": {"connector": "postgresql", "schema": "public", "table": "events"}, "op": "c"}""")));
        await scenario.ProduceAsync(topic, Events(0, 20_000));
        var (file, port) = await scenario.WriteConfigAsync(("events", "debezium-json", [topic]));
        await using (var first = await SentinelProcess.StartAsync(file, port))
        {
            await Eventually.WaitAsync(
                async () => (await scenario.Destination.CountRowsAsync("public.events")) >= 1000,
                s_within,
                () => $"the first events at the destination; log:\n{first.LogTail()}");
            await first.KillAsync();
        }

        var atKill = await scenario.Destination.CountRowsAsync("public.events");
        output.WriteLine($"{atKill} of 20000 events applied when the silo was killed");
        atKill.ShouldBeGreaterThan(0);

        // The group's offsets only mirror the destinations' for lag tooling. Rewind them, as commits lost in the kill
        // would: the restarted silo must put them right even on partitions with nothing new to read.
        var partitions = await scenario.Kafka.PartitionsAsync(topic, s_within);
        using var group = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(scenario.Kafka.ConsumerConfig($"{scenario.Prefix}-events")).Build();
        group.Commit(partitions.Select(p => new Confluent.Kafka.TopicPartitionOffset(topic, p, 0)));
        await using var second = await SentinelProcess.StartAsync(file, port);
        await WaitForGroupOffsetsAsync(group, topic, partitions, 20_000);

        await scenario.ProduceAsync(topic, Events(20_000, 5_000));
        await scenario.WaitForRowsAsync("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM public.events", ["25000|25000|0|24999"], second, s_within);
        await second.WaitForLogAsync("reads from offset");
        await WaitForGroupOffsetsAsync(group, topic, partitions, 25_000);
    }

    private static async Task WaitForGroupOffsetsAsync(Confluent.Kafka.IConsumer<byte[], byte[]> group, string topic, IEnumerable<Confluent.Kafka.Partition> partitions, long sum)
    {
        var committed = 0L;
        await Eventually.WaitAsync(
            () =>
            {
                committed = group.Committed(partitions.Select(p => new Confluent.Kafka.TopicPartition(topic, p)), TimeSpan.FromSeconds(10)).Sum(o => Math.Max(0, o.Offset.Value));
                return Task.FromResult(committed == sum);
            },
            s_within,
            () => $"the group's committed offsets to sum to {sum}, not {committed}");
    }

    [Fact]
    public async Task A_topic_created_after_start_that_matches_the_pattern_is_picked_up()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        var first = await scenario.ProduceFixtureAsync(KafkaFixture.Load("mysql-products-schema"), partitions: 1);
        var (file, port) = await scenario.WriteConfigAsync(("dbz", "debezium-json", []));
        var config = await File.ReadAllTextAsync(file);
        await File.WriteAllTextAsync(file, config.Replace("topics: []", $"topicPattern: '{scenario.Prefix}\\..*'", StringComparison.Ordinal));
        await using var sentinel = await SentinelProcess.StartAsync(file, port);
        await scenario.WaitForRowsAsync("SELECT id, name FROM inventory.products ORDER BY id", ["101|scooter"], sentinel, s_within);

        await scenario.ProduceFixtureAsync(KafkaFixture.Load("cassandra-users-schemaless"), partitions: 3);

        await scenario.WaitForRowsAsync("SELECT id, name, age FROM ks.users ORDER BY id", ["u1|Ada|37"], sentinel, s_within);
        first.ShouldStartWith(scenario.Prefix);
    }

    [Fact]
    public async Task Start_from_latest_skips_what_was_there_before_the_first_start_but_not_what_arrives_while_stopped()
    {
        await using var scenario = await KafkaSourceScenario.CreateAsync();
        var topic = scenario.Topic("dbserver1.inventory.latest");
        await scenario.Kafka.CreateTopicAsync(topic, 1);
        static (byte[]? Key, byte[]? Value) Insert(int id) => (Encoding.UTF8.GetBytes($$"""{"id": {{id}}}"""),
            Encoding.UTF8.GetBytes($$"""{"after": {"id": {{id}}}, "source": {"connector": "postgresql", "schema": "inventory", "table": "latest"}, "op": "c"}"""));
        await scenario.ProduceAsync(topic, [Insert(1), Insert(2)]);
        var (file, port) = await scenario.WriteConfigAsync(("dbz", "debezium-json", [topic]));
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("startFrom: earliest", "startFrom: latest", StringComparison.Ordinal));

        await using (var first = await SentinelProcess.StartAsync(file, port))
        {
            await first.WaitForLogAsync("reads from offset 2", s_within);
            await scenario.ProduceAsync(topic, [Insert(3)]);
            await scenario.WaitForRowsAsync("SELECT id FROM inventory.latest ORDER BY id", ["3"], first, s_within);
            (await first.StopAsync()).ShouldBe(0, first.Log);
        }

        await scenario.ProduceAsync(topic, [Insert(4)]);
        await using var second = await SentinelProcess.StartAsync(file, port);
        await scenario.WaitForRowsAsync("SELECT id FROM inventory.latest ORDER BY id", ["3", "4"], second, s_within);
    }
}
