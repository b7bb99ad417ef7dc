using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace SentinelSync.Runtime;

/// <summary>
/// The membership table in the control database: rows in <c>sentinel.silo</c>, the table version in the single
/// row of <c>sentinel.membership_version</c> (migration <c>002_membership.sql</c>).
/// </summary>
/// <remarks>
/// <see cref="ReadAllAsync"/> is one statement, hence one snapshot. An insert or update is one transaction of two
/// statements sent in one batch: the conditional bump of the version row and the row write. It commits only
/// when both changed exactly one row; otherwise it rolls back and returns false. Concurrent writers queue on the
/// version row's lock; once the first commits, the others re-check <c>version = @expected</c> against the new
/// row and change nothing, so of N writers with the same version exactly one wins.
/// Heartbeats are stored as the writer sent them (the writer's clock); see <see cref="MembershipAgent"/> for
/// why no reader compares them with its own clock.
/// </remarks>
public sealed class PostgresMembershipTable(NpgsqlDataSource dataSource) : IMembershipTable
{
    private const string ReadAllSql = """
        SELECT v.version, s.name, s.address, s.started_at, s.status, s.last_heartbeat, s.suspicions::text, s.etag
        FROM sentinel.membership_version v
        LEFT JOIN sentinel.silo s ON true
        ORDER BY s.name COLLATE "C"
        """;

    private const string BumpVersionSql = """
        UPDATE sentinel.membership_version SET version = version + 1 WHERE version = @expected_version
        """;

    private const string InsertRowSql = """
        INSERT INTO sentinel.silo (name, address, started_at, status, last_heartbeat, suspicions, etag)
        VALUES (@name, @address, @started_at, @status, @last_heartbeat, @suspicions, 1)
        ON CONFLICT (name) DO NOTHING
        """;

    private const string UpdateRowSql = """
        UPDATE sentinel.silo
        SET address = @address, started_at = @started_at, status = @status, last_heartbeat = @last_heartbeat,
            suspicions = @suspicions, etag = etag + 1
        WHERE name = @name AND etag = @etag
        """;

    private const string UpdateIAmAliveSql = """
        UPDATE sentinel.silo SET last_heartbeat = @last_heartbeat WHERE name = @name
        """;

    /// <inheritdoc />
    public async Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReadAllSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<(MembershipEntry, string)>();
        long? version = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = reader.GetInt64(0);
            if (reader.IsDBNull(1))
            {
                continue;
            }

            var entry = new MembershipEntry(
                reader.GetString(1),
                reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                Enum.Parse<SiloStatus>(reader.GetString(4)),
                reader.GetFieldValue<DateTimeOffset>(5),
                ParseSuspicions(reader.GetString(6)));
            rows.Add((entry, reader.GetInt64(7).ToString(CultureInfo.InvariantCulture)));
        }

        return new MembershipSnapshot(
            rows,
            version ?? throw new InvalidOperationException("sentinel.membership_version has no row: run the control database migrations first."));
    }

    /// <inheritdoc />
    public Task<bool> InsertRowAsync(MembershipEntry entry, long tableVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteAsync(InsertRowSql, entry, etag: null, tableVersion, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long tableVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var expected)
            ? WriteAsync(UpdateRowSql, entry, expected, tableVersion, cancellationToken)
            : Task.FromResult(false);
    }

    /// <inheritdoc />
    public async Task UpdateIAmAliveAsync(string siloName, DateTimeOffset heartbeat, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(UpdateIAmAliveSql);
        command.Parameters.AddWithValue("name", siloName);
        command.Parameters.AddWithValue("last_heartbeat", MembershipTimestamps.Normalize(heartbeat));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> WriteAsync(string rowSql, MembershipEntry entry, long? etag, long tableVersion, CancellationToken cancellationToken)
    {
        entry = MembershipTimestamps.Normalize(entry);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);

        var bump = new NpgsqlBatchCommand(BumpVersionSql);
        bump.Parameters.AddWithValue("expected_version", tableVersion);
        batch.BatchCommands.Add(bump);

        var write = new NpgsqlBatchCommand(rowSql);
        write.Parameters.AddWithValue("name", entry.Name);
        write.Parameters.AddWithValue("address", entry.Address);
        write.Parameters.AddWithValue("started_at", entry.StartedAt);
        write.Parameters.AddWithValue("status", entry.Status.ToString());
        write.Parameters.AddWithValue("last_heartbeat", entry.LastHeartbeat);
        write.Parameters.Add(new NpgsqlParameter("suspicions", NpgsqlDbType.Jsonb) { Value = FormatSuspicions(entry.Suspicions) });
        if (etag is { } expectedEtag)
        {
            write.Parameters.AddWithValue("etag", expectedEtag);
        }

        batch.BatchCommands.Add(write);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        if (bump.RecordsAffected == 1 && write.RecordsAffected == 1)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        return false;
    }

    private static string FormatSuspicions(IReadOnlyList<SuspicionVote> votes)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var vote in votes)
            {
                writer.WriteStartObject();
                writer.WriteString("voter", vote.Voter);
                writer.WriteString("at", vote.At);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static SuspicionVote[] ParseSuspicions(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(v => new SuspicionVote(
            v.GetProperty("voter").GetString()!,
            v.GetProperty("at").GetDateTimeOffset()))];
    }
}
