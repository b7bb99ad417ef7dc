using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>A function at the source that a domain or range needs: its signature, owning extension, definition and the types it uses.</summary>
internal sealed record SourceFunctionDefinition(string Signature, string Schema, string? Extension, string? ExtensionSchema, string Definition, uint[] TypeOids)
{
    public static async Task<SourceFunctionDefinition?> ReadAsync(NpgsqlConnection source, uint oid, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresTypeSql.SelectFunction, source);
        command.Parameters.Add(new NpgsqlParameter { Value = oid, DataTypeName = "oid" });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new SourceFunctionDefinition(
            reader.GetString(0),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetString(4),
            reader.GetFieldValue<uint[]>(5));
    }
}
