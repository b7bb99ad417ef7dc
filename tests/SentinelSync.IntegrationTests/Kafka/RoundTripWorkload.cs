using Npgsql;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// The source side of the Postgres → Kafka → Postgres/ClickHouse round trip: a small shop (customers with a TOASTed
/// note, orders, order lines under a composite key, and a keyless append-only audit table) and a writer that keeps
/// committing mixed transactions over all of them (inserts, updates that leave the TOASTed note alone or rewrite it,
/// deletes of orders with their lines) until stopped. Counts the row changes it committed.
/// </summary>
internal sealed class RoundTripWorkload : IAsyncDisposable
{
    public const string Schema = """
        CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, tier text, balance numeric(12,2) NOT NULL, note text, updated_at timestamptz NOT NULL);
        ALTER TABLE customers ALTER COLUMN note SET STORAGE EXTERNAL;
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, amount numeric(12,2) NOT NULL, status text NOT NULL, rush boolean NOT NULL, placed timestamptz NOT NULL);
        CREATE TABLE order_lines (order_id bigint NOT NULL, line integer NOT NULL, sku text NOT NULL, qty integer NOT NULL, PRIMARY KEY (order_id, line));
        CREATE TABLE audit (seq bigint NOT NULL, what text NOT NULL);
        CREATE SEQUENCE audit_seq;
        """;

    /// <summary>200 customers (every tenth with a 2,560-character note stored out of line), 400 orders with 2 lines each.</summary>
    public const string Seed = """
        INSERT INTO customers
        SELECT i, 'customer ' || i, CASE WHEN i % 3 = 0 THEN 'gold' END, i * 1.5,
               CASE WHEN i % 10 = 0 THEN (SELECT string_agg(md5(i::text || '-' || g), '') FROM generate_series(1, 80) g) END,
               timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'
        FROM generate_series(1, 200) i;
        INSERT INTO orders
        SELECT i, 1 + i % 200, i * 0.25, 'placed', i % 5 = 0, timestamptz '2024-02-01 00:00:00+00' + i * interval '1.5 seconds'
        FROM generate_series(1, 400) i;
        INSERT INTO order_lines SELECT o, l, 'sku-' || (o * 7 + l) % 97, 1 + (o + l) % 4 FROM generate_series(1, 400) o, generate_series(1, 2) l;
        INSERT INTO audit SELECT nextval('audit_seq'), 'seed order ' || i FROM generate_series(1, 100) i;
        """;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private long _commits;
    private long _changes;

    private RoundTripWorkload(PostgresDatabase database) => _run = Task.Run(() => RunAsync(database, _stop.Token));

    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Rows inserted, updated and deleted by committed transactions.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    public static RoundTripWorkload Start(PostgresDatabase database) => new(database);

    private async Task RunAsync(PostgresDatabase database, CancellationToken stop)
    {
        var random = new Random(15);
        var nextOrder = 1_000L;
        var nextCustomer = 1_000;
        await using var connection = await database.OpenConnectionAsync(stop);
        while (!stop.IsCancellationRequested)
        {
            var victim = random.Next((int)nextOrder);
            var statements = random.Next(10) switch
            {
                0 or 1 or 2 => NewOrder(nextOrder++, random),
                3 or 4 => [$"UPDATE orders SET status = 'shipped', amount = amount + 1 WHERE id = (SELECT id FROM orders WHERE status = 'placed' ORDER BY random() LIMIT 1)"],
                5 => [
                    "UPDATE customers SET balance = balance - 0.5, updated_at = clock_timestamp() WHERE id IN (SELECT id FROM customers ORDER BY random() LIMIT 3)",
                    "INSERT INTO audit SELECT nextval('audit_seq'), 'balances'",
                ],
                6 => [
                    // The same order twice: the only writer, so both statements see the same rows.
                    $"DELETE FROM order_lines WHERE order_id = (SELECT min(id) FROM orders WHERE id >= {victim})",
                    $"DELETE FROM orders WHERE id = (SELECT min(id) FROM orders WHERE id >= {victim})",
                    "INSERT INTO audit SELECT nextval('audit_seq'), 'cancelled'",
                ],
                7 => ["UPDATE order_lines SET qty = qty + 1 WHERE (order_id, line) = (SELECT order_id, line FROM order_lines ORDER BY random() LIMIT 1)"],
                8 => [$"INSERT INTO customers VALUES ({nextCustomer++}, 'new customer', NULL, 0, NULL, clock_timestamp())"],
                _ => ["UPDATE customers SET note = repeat(md5(random()::text), 80), tier = 'vip' WHERE id = (SELECT id FROM customers WHERE note IS NOT NULL ORDER BY random() LIMIT 1)"],
            };
            await using (var transaction = await connection.BeginTransactionAsync(stop))
            {
                var changed = 0;
                foreach (var sql in statements)
                {
                    await using var command = new NpgsqlCommand(sql, connection, transaction);
                    changed += await command.ExecuteNonQueryAsync(stop);
                }

                await transaction.CommitAsync(stop);
                Interlocked.Add(ref _changes, changed);
                Interlocked.Increment(ref _commits);
            }

            // A steady stream rather than a burst: the kills must land while changes flow.
            await Task.Delay(5, stop);
        }
    }

    private static string[] NewOrder(long id, Random random)
    {
        var lines = 1 + random.Next(3);
        return
        [
            $"INSERT INTO orders VALUES ({id}, {1 + random.Next(200)}, {random.Next(100_000)} / 100.0, 'placed', {(random.Next(4) == 0 ? "true" : "false")}, clock_timestamp())",
            $"INSERT INTO order_lines SELECT {id}, l, 'sku-' || l * {1 + random.Next(50)}, l FROM generate_series(1, {lines}) l",
            $"INSERT INTO audit SELECT nextval('audit_seq'), 'order {id}'",
        ];
    }

    /// <summary>Stops writing after the current transaction.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
