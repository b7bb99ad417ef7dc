using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Orleans.Runtime;
using Orleans.Storage;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Orleans grain storage in the control database (<c>sentinel.grain_state</c>): JSON (jsonb, readable with plain
/// SQL), an integer ETag, and every write fenced by the writer's lease epoch. Each write is one statement that
/// checks the ETag and takes a share lock on the grain's lease row with the writer's epoch: a takeover (which
/// updates that row) waits for the write to commit, and a write after a takeover finds no lease row with its
/// epoch and changes nothing (<see cref="GrainFencedException"/>). An ETag mismatch is Orleans'
/// <see cref="InconsistentStateException"/>. Nothing is written in either case.
/// </summary>
public sealed class FencedGrainStorage(NpgsqlDataSource controlDb, ActivationEpochs epochs) : IGrainStorage
{
    /// <summary>The storage name grains use: <c>[PersistentState("source", FencedGrainStorage.Name)]</c>.</summary>
    public const string Name = "sentinel";

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

    /// <summary>The JSON of the stored states (web defaults: camelCase), as the runtime before Orleans wrote it.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var command = Command(ReadSql, grainId, stateName);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (await reader.ReadAsync().ConfigureAwait(false))
        {
            grainState.State = JsonSerializer.Deserialize<T>(reader.GetString(0), Json) ?? Activator.CreateInstance<T>();
            grainState.ETag = Format(reader.GetInt64(1));
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var epoch = epochs.Of(grainId);
        await using var command = Command(grainState.ETag is null ? InsertSql : UpdateSql, grainId, stateName);
        command.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(grainState.State, Json) });
        command.Parameters.AddWithValue("epoch", epoch);
        if (grainState.ETag is not null)
        {
            command.Parameters.AddWithValue("etag", Parse(grainState.ETag));
        }

        if (await command.ExecuteScalarAsync().ConfigureAwait(false) is not long written)
        {
            throw await DiagnoseAsync(grainId, stateName, grainState.ETag, epoch).ConfigureAwait(false);
        }

        grainState.ETag = Format(written);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is not null)
        {
            var epoch = epochs.Of(grainId);
            await using var command = Command(DeleteSql, grainId, stateName);
            command.Parameters.AddWithValue("epoch", epoch);
            command.Parameters.AddWithValue("etag", Parse(grainState.ETag));
            if (await command.ExecuteScalarAsync().ConfigureAwait(false) is null)
            {
                throw await DiagnoseAsync(grainId, stateName, grainState.ETag, epoch).ConfigureAwait(false);
            }
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>A conditional statement changed nothing: say whether the lease or the ETag was the reason.</summary>
    private async Task<Exception> DiagnoseAsync(GrainId grainId, string stateName, string? expectedEtag, long epoch)
    {
        await using var command = Command(DiagnoseSql, grainId, stateName);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        long? leaseEpoch = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        string? storedEtag = reader.IsDBNull(1) ? null : Format(reader.GetInt64(1));
        return leaseEpoch != epoch
            ? new GrainFencedException(grainId.ToString(), epoch, leaseEpoch)
            : new InconsistentStateException($"Grain {grainId}, state {stateName}: stored ETag {storedEtag ?? "(none)"}, this activation had {expectedEtag ?? "(none)"}.", storedEtag, expectedEtag);
    }

    private NpgsqlCommand Command(string sql, GrainId grainId, string stateName)
    {
        var command = controlDb.CreateCommand(sql);
        command.Parameters.AddWithValue("type", grainId.Type.ToString()!);
        command.Parameters.AddWithValue("key", grainId.Key.ToString()!);
        command.Parameters.AddWithValue("name", stateName);
        return command;
    }

    private static string Format(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    private static long Parse(string etag) => long.Parse(etag, CultureInfo.InvariantCulture);
}
