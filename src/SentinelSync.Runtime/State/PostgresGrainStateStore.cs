using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace SentinelSync.Runtime;

/// <summary>
/// Grain state in the control database (<c>sentinel.grain_state</c>, jsonb). Each write is one statement that
/// checks the ETag and takes a share lock on the grain's lease row with the writer's epoch: a takeover
/// (which updates that row) waits for the write to commit, and a write after a takeover finds no lease row
/// with its epoch and changes nothing.
/// </summary>
public sealed class PostgresGrainStateStore(NpgsqlDataSource dataSource) : IGrainStateStore
{
    private const string LeaseCte = """
        WITH lease AS (
            SELECT 1 FROM sentinel.grain_lease
            WHERE grain_type = @type AND grain_key = @key AND epoch = @epoch AND NOT released
            FOR SHARE)
        """;

    private const string ReadSql = """
        SELECT payload::text, etag FROM sentinel.grain_state
        WHERE grain_type = @type AND grain_key = @key AND state_name = @name
        """;

    private const string InsertSql = LeaseCte + """

        INSERT INTO sentinel.grain_state (grain_type, grain_key, state_name, payload, etag, epoch)
        SELECT @type, @key, @name, @payload, 1, @epoch WHERE EXISTS (SELECT 1 FROM lease)
        ON CONFLICT DO NOTHING
        RETURNING etag
        """;

    private const string UpdateSql = LeaseCte + """

        UPDATE sentinel.grain_state SET payload = @payload, etag = etag + 1, epoch = @epoch, updated_at = now()
        WHERE grain_type = @type AND grain_key = @key AND state_name = @name AND etag = @etag
          AND EXISTS (SELECT 1 FROM lease)
        RETURNING etag
        """;

    private const string DeleteSql = LeaseCte + """

        DELETE FROM sentinel.grain_state
        WHERE grain_type = @type AND grain_key = @key AND state_name = @name AND etag = @etag
          AND EXISTS (SELECT 1 FROM lease)
        RETURNING etag
        """;

    private const string DiagnoseSql = """
        SELECT (SELECT epoch FROM sentinel.grain_lease WHERE grain_type = @type AND grain_key = @key AND NOT released),
               (SELECT etag FROM sentinel.grain_state WHERE grain_type = @type AND grain_key = @key AND state_name = @name)
        """;

    public async Task<StoredState?> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken)
    {
        await using var command = Command(ReadSql, grainId, stateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredState(reader.GetString(0), Format(reader.GetInt64(1)))
            : null;
    }

    public async Task<string> WriteAsync(GrainId grainId, string stateName, string json, string? expectedEtag, long epoch, CancellationToken cancellationToken)
    {
        await using var command = Command(expectedEtag is null ? InsertSql : UpdateSql, grainId, stateName);
        command.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Jsonb) { Value = json });
        command.Parameters.AddWithValue("epoch", epoch);
        if (expectedEtag is not null)
        {
            command.Parameters.AddWithValue("etag", Parse(expectedEtag));
        }

        var etag = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (etag is long written)
        {
            return Format(written);
        }

        throw await DiagnoseAsync(grainId, stateName, expectedEtag, epoch, cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearAsync(GrainId grainId, string stateName, string? expectedEtag, long epoch, CancellationToken cancellationToken)
    {
        if (expectedEtag is null)
        {
            var stored = await ReadAsync(grainId, stateName, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                throw new InconsistentStateException(grainId, stateName, null, stored.Etag);
            }

            return;
        }

        await using var command = Command(DeleteSql, grainId, stateName);
        command.Parameters.AddWithValue("epoch", epoch);
        command.Parameters.AddWithValue("etag", Parse(expectedEtag));
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            throw await DiagnoseAsync(grainId, stateName, expectedEtag, epoch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A conditional statement changed nothing: say whether the lease or the ETag was the reason.</summary>
    private async Task<Exception> DiagnoseAsync(GrainId grainId, string stateName, string? expectedEtag, long epoch, CancellationToken cancellationToken)
    {
        await using var command = Command(DiagnoseSql, grainId, stateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        long? leaseEpoch = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        string? storedEtag = reader.IsDBNull(1) ? null : Format(reader.GetInt64(1));
        return leaseEpoch != epoch
            ? new GrainFencedException(grainId, epoch, leaseEpoch)
            : new InconsistentStateException(grainId, stateName, expectedEtag, storedEtag);
    }

    private NpgsqlCommand Command(string sql, GrainId grainId, string stateName)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("type", grainId.Type);
        command.Parameters.AddWithValue("key", grainId.Key);
        command.Parameters.AddWithValue("name", stateName);
        return command;
    }

    private static string Format(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    private static long Parse(string etag) => long.Parse(etag, CultureInfo.InvariantCulture);
}
