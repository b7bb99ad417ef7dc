using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace SentinelSync.Admin;

/// <summary>One line of the audit trail.</summary>
internal sealed record AuditEntry(long Id, DateTimeOffset At, string Silo, string TokenId, string Role, string Action, JsonElement? Arguments, int Status, string Result);

/// <summary>The audit trail in the control database (<c>sentinel.audit_log</c>), shared by every silo of the cluster.</summary>
internal sealed class AuditLog(NpgsqlDataSource controlDb)
{
    private const string InsertSql = """
        INSERT INTO sentinel.audit_log (silo, token_id, role, action, arguments, status, result)
        VALUES (@silo, @token_id, @role, @action, @arguments, @status, @result)
        """;

    private const string ListSql = """
        SELECT id, at, silo, token_id, role, action, arguments::text, status, result FROM sentinel.audit_log
        WHERE at >= @since ORDER BY id DESC LIMIT @limit
        """;

    public async Task RecordAsync(string silo, string tokenId, string role, string action, string? arguments, int status, string result, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(InsertSql);
        command.Parameters.AddWithValue("silo", silo);
        command.Parameters.AddWithValue("token_id", tokenId);
        command.Parameters.AddWithValue("role", role);
        command.Parameters.AddWithValue("action", action);
        command.Parameters.Add(new NpgsqlParameter("arguments", NpgsqlDbType.Jsonb) { Value = (object?)arguments ?? DBNull.Value });
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("result", result);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The newest entries first, at or after <paramref name="since"/>.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(ListSql);
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : JsonDocument.Parse(reader.GetString(6)).RootElement.Clone(),
                reader.GetInt32(7),
                reader.GetString(8)));
        }

        return entries;
    }
}
