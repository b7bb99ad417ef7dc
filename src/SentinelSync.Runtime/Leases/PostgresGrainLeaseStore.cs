using Npgsql;

namespace SentinelSync.Runtime;

/// <summary>Leases in the control database (<c>sentinel.grain_lease</c>).</summary>
public sealed class PostgresGrainLeaseStore(NpgsqlDataSource dataSource, string siloName) : IGrainLeaseStore
{
    private const string AcquireSql = """
        INSERT INTO sentinel.grain_lease AS l (grain_type, grain_key, silo, epoch)
        VALUES (@type, @key, @silo, 1)
        ON CONFLICT (grain_type, grain_key) DO UPDATE
            SET silo = excluded.silo, epoch = l.epoch + 1, released = false, acquired_at = now()
        RETURNING epoch
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
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
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
