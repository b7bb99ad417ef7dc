using Npgsql;

namespace SentinelSync.Demo;

/// <summary>The demo's source database: a small shop schema and a workload of orders placed and updated.</summary>
internal sealed class DemoShop(NpgsqlDataSource shop)
{
    private const string Schema = """
        CREATE TABLE customers (
            id         bigint PRIMARY KEY,
            name       text NOT NULL,
            email      text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE orders (
            id          bigserial PRIMARY KEY,
            customer_id bigint NOT NULL REFERENCES customers (id),
            amount      numeric(12, 2) NOT NULL,
            status      text NOT NULL DEFAULT 'placed',
            details     jsonb NOT NULL DEFAULT '{}',
            placed_at   timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        INSERT INTO customers (id, name, email)
        SELECT i, 'Customer ' || i, 'customer' || i || '@example.com' FROM generate_series(1, 200) AS i;
        """;

    private const string PlaceOrders = """
        INSERT INTO orders (customer_id, amount, details)
        SELECT 1 + floor(random() * 200)::bigint, round((random() * 500)::numeric, 2), jsonb_build_object('items', 1 + floor(random() * 5)::int)
        FROM generate_series(1, @count)
        """;

    private const string AdvanceOrders = """
        UPDATE orders SET status = CASE status WHEN 'placed' THEN 'paid' ELSE 'shipped' END
        WHERE id IN (SELECT id FROM orders WHERE status <> 'shipped' ORDER BY random() LIMIT @count)
        """;

    public async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await using var command = shop.CreateCommand(Schema);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>One tick of the workload: a few orders placed, a few paid or shipped, in one transaction.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await using var connection = await shop.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var sql in new[] { PlaceOrders, AdvanceOrders })
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("count", Random.Shared.Next(1, 6));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The order count, or a dash while the table does not exist yet (a replica before its snapshot).</summary>
    public async Task<string> TryCountOrdersAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await CountOrdersAsync(cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return "-";
        }
    }

    public async Task<long> CountOrdersAsync(CancellationToken cancellationToken)
    {
        await using var command = shop.CreateCommand("SELECT count(*) FROM orders");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
