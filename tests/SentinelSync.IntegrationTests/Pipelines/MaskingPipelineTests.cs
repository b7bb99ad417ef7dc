using System.Text.Json;
using SentinelSync.Replication.Masking;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// Masking per sink through the real process: the Postgres sink masks, excludes and renames personal columns, the
/// ClickHouse sink of the same pipeline gets them as they are; snapshot, stream, a dead letter and its replay.
/// </summary>
public sealed class MaskingPipelineTests : IDisposable
{
    private const string Salt = "test-salt-0123456789abcdef";
    private const string Key = "test-key-k2024-0123456789abcdef";

    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(90);

    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"mask_k2024_{Guid.NewGuid():N}");

    private readonly Masker _masker = new(new MaskingOptions
    {
        Salt = Salt,
        Keys = [new MaskingKey { Id = "k2024", Key = Key }],
        ActiveKey = "k2024",
    });

    public void Dispose() => File.Delete(_keyFile);

    [Fact]
    public async Task Only_the_masking_sink_gets_masked_values_in_snapshot_stream_and_dead_letters_and_they_still_join()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        await File.WriteAllTextAsync(_keyFile, Key + "\n");
        await scenario.AddSettingsAsync(
            $$"""
            masking:
              salt: "${env:TEST_MASK_SALT}"
              keys:
                - { id: k2024, key: "${file:{{_keyFile}}}" }
              activeKey: k2024
            """,
            PipelineScenario.SinkName,
            """
            transforms:
              - table: public.customers
                mask: { email: hmac, phone: redact, ssn: sha256, card: tokenize, bio: hmac }
                exclude: [notes]
                rename: { full_name: name }
              - table: public.orders
                mask: { buyer_email: hmac }
            """);
        await scenario.Source.ExecuteAsync("""
            CREATE TABLE customers (id int PRIMARY KEY, full_name text, email text, phone text, ssn text, card varchar(19), notes text, bio text, score int);
            ALTER TABLE customers ALTER COLUMN bio SET STORAGE EXTERNAL;
            CREATE TABLE orders (id int PRIMARY KEY, buyer_email text, amount int);
            INSERT INTO customers VALUES
              (1, 'Alice Adams', 'alice@example.com', '+1 555 0101', '111-22-3333', '4111 1111 1111 1111', 'alice note', repeat('alice bio ', 3000), 10),
              (2, 'Bob Brown', 'bob@example.com', NULL, '222-33-4444', '5500 0000 0000 0004', 'bob note', 'short bio', 20);
            INSERT INTO orders VALUES (10, 'alice@example.com', 5), (11, 'bob@example.com', 7);
            """);

        await using var sentinel = await scenario.StartSentinelAsync(new Dictionary<string, string> { ["TEST_MASK_SALT"] = Salt });

        // Snapshot.
        await WaitForPostgresAsync(scenario, "SELECT count(*) FROM customers", 2);
        await WaitForPostgresAsync(scenario, "SELECT count(*) FROM orders", 2);
        (await scenario.Destination.ScalarAsync<string>("SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'customers' AND table_schema = 'public'"))
            .ShouldBe("id:integer,name:text,email:text,phone:text,ssn:text,card:text,bio:text,score:integer", "notes excluded, full_name renamed, masked columns text");
        await ShouldHoldAsync(scenario, 1, "Alice Adams", _masker.Hmac("alice@example.com"), Masker.Redacted, _masker.Sha256("111-22-3333"), _masker.Tokenize("4111 1111 1111 1111"));
        await ShouldHoldAsync(scenario, 2, "Bob Brown", _masker.Hmac("bob@example.com"), null, _masker.Sha256("222-33-4444"), _masker.Tokenize("5500 0000 0000 0004"));
        _masker.Tokenize("4111 1111 1111 1111").ShouldMatch("^[0-9]{4} [0-9]{4} [0-9]{4} [0-9]{4}$");

        // Stream: an insert sharing an email with an order, an email change, an update leaving the TOASTed bio unchanged.
        await scenario.Source.ExecuteAsync("""
            INSERT INTO customers VALUES (3, 'Carol Cole', 'carol@example.com', '+44 20 7946 0000', '333-44-5555', NULL, 'carol note', NULL, 30);
            INSERT INTO orders VALUES (12, 'carol@example.com', 9);
            UPDATE customers SET email = 'bob@example.org' WHERE id = 2;
            UPDATE customers SET score = 11 WHERE id = 1;
            """);
        await WaitForPostgresAsync(scenario, "SELECT count(*) FROM customers WHERE id = 3 OR (id = 1 AND score = 11) OR (id = 2 AND email = $1)", 3, _masker.Hmac("bob@example.org"));
        await ShouldHoldAsync(scenario, 3, "Carol Cole", _masker.Hmac("carol@example.com"), Masker.Redacted, _masker.Sha256("333-44-5555"), null);
        (await scenario.Destination.ScalarAsync<string>("SELECT bio FROM customers WHERE id = 1"))
            .ShouldBe(_masker.Hmac(string.Concat(Enumerable.Repeat("alice bio ", 3000))), "the unchanged TOAST value keeps its masked value");

        // Joinable: the same email in two tables masks to the same value (orders has a sink grain of its own: wait for carol's).
        await WaitForPostgresAsync(scenario, "SELECT count(*) FROM orders", 3);
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM orders o JOIN customers c ON c.email = o.buyer_email"))
            .ShouldBe(2, "alice and carol join on their masked emails (bob's email changed)");

        // A row the masking sink refuses goes to its dead-letter queue masked; ClickHouse takes it as it is.
        await scenario.Destination.ExecuteAsync("ALTER TABLE customers ADD CONSTRAINT score_cap CHECK (score < 1000)");
        await scenario.Source.ExecuteAsync("INSERT INTO customers VALUES (4, 'Dan Poison', 'poison@example.com', '+1 555 0404', '444-55-6666', '4000 0000 0000 0002', 'poison note', 'poison bio', 5000)");
        await Eventually.WaitAsync(
            async () => await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter WHERE row_key = '4'") == 1,
            s_within,
            () => "the refused row to be dead-lettered");
        var letter = await scenario.Control.ScalarAsync<string>("SELECT change::text || ' ' || error || ' ' || transformed FROM sentinel.dead_letter WHERE row_key = '4'");
        letter.ShouldContain(_masker.Hmac("poison@example.com"));
        letter.ShouldEndWith(" True");
        foreach (var plain in new[] { "poison@example.com", "+1 555 0404", "444-55-6666", "4000 0000 0000 0002", "poison note", "poison bio" })
        {
            letter.ShouldNotContain(plain, Case.Sensitive, "the dead letter holds what the masking sink was given");
        }

        // ClickHouse: every row, unmasked, every column under its own name.
        await Eventually.WaitAsync(
            async () => await scenario.ClickHouse!.ScalarAsync<long>("SELECT count() FROM customers FINAL WHERE _deleted = 0") == 4,
            s_within,
            () => "ClickHouse to hold the four customers");
        (await scenario.ClickHouse!.QueryAsync("SELECT full_name, email, phone, ssn, card, notes FROM customers FINAL WHERE id IN (2, 4) ORDER BY id FORMAT TabSeparated"))
            .ShouldBe("Bob Brown\tbob@example.org\t\\N\t222-33-4444\t5500 0000 0000 0004\tbob note\nDan Poison\tpoison@example.com\t+1 555 0404\t444-55-6666\t4000 0000 0000 0002\tpoison note\n");
        (await scenario.ClickHouse.ScalarAsync<string>("SELECT buyer_email FROM orders FINAL WHERE id = 12")).ShouldBe("carol@example.com");

        // Replay once fixed: the stored masked change is applied as stored, not masked a second time.
        await scenario.Destination.ExecuteAsync("ALTER TABLE customers DROP CONSTRAINT score_cap");
        var (replayed, output) = await SentinelProcess.RunVerbAsync("dlq", "replay", "--pipeline", PipelineScenario.Pipeline, "--sink", PipelineScenario.SinkName, "--table", "public.customers", "--json", "--server", scenario.Server.ToString());
        replayed.ShouldBe(0, output);
        JsonDocument.Parse(output).RootElement.GetProperty("replayed").GetInt32().ShouldBe(1);
        await ShouldHoldAsync(scenario, 4, "Dan Poison", _masker.Hmac("poison@example.com"), Masker.Redacted, _masker.Sha256("444-55-6666"), _masker.Tokenize("4000 0000 0000 0002"));

        // Nothing in the clear anywhere at the masking sink.
        var everything = await scenario.Destination.ScalarAsync<string>("SELECT (SELECT string_agg(ROW(c.*)::text, E'\\n') FROM customers c) || (SELECT string_agg(ROW(o.*)::text, E'\\n') FROM orders o)");
        foreach (var plain in new[] { "@example.", "555 0", "111-22-3333", "4111 1111", "note", "alice bio", "poison bio" })
        {
            everything.ShouldNotContain(plain, Case.Sensitive);
        }
    }

    private static async Task WaitForPostgresAsync(PipelineScenario scenario, string sql, long expected, params object?[] parameters)
    {
        long last = -1;
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    last = await scenario.Destination.ScalarAsync<long>(sql, parameters);
                }
                catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
                {
                    return false;
                }

                return last == expected;
            },
            s_within,
            () => $"'{sql}' at the masking sink to give {expected}, last {last}");
    }

    private static async Task ShouldHoldAsync(PipelineScenario scenario, int id, string name, string email, string? phone, string ssn, string? card)
    {
        var row = await scenario.Destination.ScalarAsync<string>(
            "SELECT concat_ws('|', name, email, coalesce(phone, 'NULL'), ssn, coalesce(card, 'NULL')) FROM customers WHERE id = $1", id);
        row.ShouldBe(string.Join('|', name, email, phone ?? "NULL", ssn, card ?? "NULL"), $"customer {id} at the masking sink");
    }
}
