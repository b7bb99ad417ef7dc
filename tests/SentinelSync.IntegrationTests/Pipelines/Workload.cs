using Npgsql;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// A writer on the source's <c>items</c> table: small transactions of inserts, updates (including of the key)
/// and deletes, until stopped. Counts its commits so tests can wait for progress.
/// </summary>
internal sealed class Workload : IAsyncDisposable
{
    public const string Schema = """
        CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(12,2), note text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
        ALTER TABLE items ALTER COLUMN note SET STORAGE EXTERNAL;
        """;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private long _commits;
    private long _nextId;

    private Workload(PostgresDatabase database, long firstId)
    {
        _nextId = firstId;
        _run = Task.Run(() => RunAsync(database, _stop.Token));
    }

    public long Commits => Interlocked.Read(ref _commits);

    public static Workload Start(PostgresDatabase database, long firstId = 1_000_000) => new(database, firstId);

    /// <summary>Fills <c>items</c> with <paramref name="rows"/> rows, a tenth of them with a large note (TOASTed).</summary>
    public static Task SeedAsync(PostgresDatabase database, int rows) =>
        database.ExecuteAsync($"""
            INSERT INTO items (id, name, price, note)
            SELECT i, 'item ' || i, i * 1.25, CASE WHEN i % 10 = 0 THEN repeat(md5(i::text), 400) END
            FROM generate_series(1, {rows}) AS i
            """);

    private async Task RunAsync(PostgresDatabase database, CancellationToken stop)
    {
        var random = new Random(42);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await WriteAsync(database, random, stop);
            }
            catch (NpgsqlException e) when (!stop.IsCancellationRequested && (e.IsTransient || e is PostgresException { SqlState: "57P01" or "57P03" }))
            {
                // The source was restarted under us: reconnect and go on, as an application would.
                NpgsqlConnection.ClearAllPools();
                await Task.Delay(100, stop);
            }
        }
    }

    private async Task WriteAsync(PostgresDatabase database, Random random, CancellationToken stop)
    {
        await using var connection = await database.OpenConnectionAsync(stop);
        while (!stop.IsCancellationRequested)
        {
            await using var transaction = await connection.BeginTransactionAsync(stop);
            var sql = random.Next(6) switch
            {
                0 => $"DELETE FROM items WHERE id = (SELECT id FROM items ORDER BY random() LIMIT 1)",
                1 => $"UPDATE items SET id = {_nextId++} WHERE id = (SELECT id FROM items WHERE note IS NULL ORDER BY random() LIMIT 1)",
                2 => "UPDATE items SET price = price + 1, updated_at = clock_timestamp() WHERE id IN (SELECT id FROM items WHERE note IS NOT NULL ORDER BY random() LIMIT 3)",
                _ => $"INSERT INTO items (id, name, price) SELECT g, 'new ' || g, g % 1000 FROM generate_series({_nextId}, {_nextId + 4}) g",
            };

            // Ids are never reused, even when this transaction is lost to a restart.
            _nextId += 5;
            await using (var command = new NpgsqlCommand(sql, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(stop);
            }

            await transaction.CommitAsync(stop);
            Interlocked.Increment(ref _commits);
        }
    }

    /// <summary>Stops writing; the last transaction is committed or not, either way the source is consistent.</summary>
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

    public async ValueTask DisposeAsync() => await StopAsync();
}
