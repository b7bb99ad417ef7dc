using Npgsql;

namespace SentinelSync.Runtime;

/// <summary>
/// Leases in the control database (<c>sentinel.grain_lease</c>). A lease can be taken when it was released,
/// when its holder is this silo (a previous incarnation), or when its holder is not a live member of the
/// cluster (declared dead or never registered); otherwise <see cref="GrainLeaseHeldException"/>.
/// </summary>
public sealed class PostgresGrainLeaseStore(NpgsqlDataSource dataSource, string siloName) : IGrainLeaseStore
{
    private const string AcquireSql = """
        INSERT INTO sentinel.grain_lease AS l (grain_type, grain_key, silo, epoch)
        VALUES (@type, @key, @silo, 1)
        ON CONFLICT (grain_type, grain_key) DO UPDATE
            SET silo = excluded.silo, epoch = l.epoch + 1, released = false, acquired_at = now()
            WHERE l.released OR l.silo = excluded.silo
               OR NOT EXISTS (SELECT 1 FROM sentinel.silo s WHERE s.name = l.silo AND s.status <> 'Dead')
        RETURNING epoch
        """;

    private const string HolderSql = """
        SELECT silo FROM sentinel.grain_lease WHERE grain_type = @type AND grain_key = @key
        """;

    private const string ReleaseSql = """
        UPDATE sentinel.grain_lease SET released = true
        WHERE grain_type = @type AND grain_key = @key AND epoch = @epoch
        """;

    public async Task<long> AcquireAsync(GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(AcquireSql);
        command.Parameters.AddWithValue("type", grainId.Type);
        command.Parameters.AddWithValue("key", grainId.Key);
        command.Parameters.AddWithValue("silo", siloName);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long epoch)
        {
            return epoch;
        }

        await using var holder = dataSource.CreateCommand(HolderSql);
        holder.Parameters.AddWithValue("type", grainId.Type);
        holder.Parameters.AddWithValue("key", grainId.Key);
        throw new GrainLeaseHeldException(grainId, (string?)await holder.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? "(unknown)");
    }

    public async Task ReleaseAsync(GrainId grainId, long epoch)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.AddWithValue("type", grainId.Type);
        command.Parameters.AddWithValue("key", grainId.Key);
        command.Parameters.AddWithValue("epoch", epoch);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
