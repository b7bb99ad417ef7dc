using System.Reflection;
using Npgsql;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// The control database (Postgres): schemas <c>sentinel</c> (leases, grain state, dead letters) and <c>orleans</c> (Orleans' membership table), created and migrated on start, before the silo joins. Migrations are the
/// embedded <c>Migrations/NNN_name.sql</c> files of the given assemblies, applied once each, in order, under
/// an advisory lock so that silos starting together do not race.
/// </summary>
public static class ControlDatabase
{
    internal const long MigrationLockKey = 0x53454E54494E454C; // "SENTINEL"

    private const string Prepare = """
        SELECT pg_advisory_xact_lock(@lock);
        CREATE SCHEMA IF NOT EXISTS sentinel;
        CREATE TABLE IF NOT EXISTS sentinel.schema_migration (
            id         text        PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, IEnumerable<Assembly> assemblies, CancellationToken cancellationToken)
    {
        var migrations = assemblies
            .Prepend(typeof(ControlDatabase).Assembly)
            .Distinct()
            .SelectMany(Migrations)
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if ((await AppliedAsync(connection, cancellationToken).ConfigureAwait(false)).IsSupersetOf(migrations.Select(m => m.Id)))
        {
            // Every restart but the first: nothing to apply, so no lock to wait for and no DDL. Safe without the lock,
            // because an id is recorded in the transaction of its migration and migrations only ever add.
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var prepare = new NpgsqlCommand(Prepare, connection, transaction))
        {
            prepare.Parameters.AddWithValue("lock", MigrationLockKey);
            await prepare.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Again under the lock: another silo may have migrated meanwhile.
        var applied = await AppliedAsync(connection, cancellationToken).ConfigureAwait(false);
        foreach (var migration in migrations.Where(m => !applied.Contains(m.Id)))
        {
            await using var apply = new NpgsqlCommand(migration.Sql, connection, transaction);
            await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO sentinel.schema_migration (id) VALUES (@id)", connection, transaction);
            record.Parameters.AddWithValue("id", migration.Id);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ids recorded so far (none before the first migration); a command on the connection joins its transaction, if any.</summary>
    private static async Task<HashSet<string>> AppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('sentinel.schema_migration') IS NOT NULL", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return applied;
            }
        }

        await using var read = new NpgsqlCommand("SELECT id FROM sentinel.schema_migration", connection);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            applied.Add(reader.GetString(0));
        }

        return applied;
    }

    private static IEnumerable<(string Id, string Sql)> Migrations(Assembly assembly)
    {
        var prefix = assembly.GetName().Name + ".Migrations.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            // Ids sort by number first, then by assembly: "001_dead_letter@SentinelSync.Replication".
            yield return ($"{resource[prefix.Length..^4]}@{assembly.GetName().Name}", reader.ReadToEnd());
        }
    }
}
