using System.Globalization;
using Npgsql;
using Orleans.Runtime;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Orleans' reminder table on the control database (<c>sentinel.reminder</c>, created by migration
/// 005_reconcile), so that reminders survive silo restarts and fire on one silo of the cluster (the reminder
/// service splits the grain-hash ring among the silos). Contract: <see cref="UpsertRow"/> returns the row's
/// new ETag; <see cref="RemoveRow"/> deletes only when the ETag still matches (false otherwise); each is one
/// statement, atomic.
/// </summary>
public sealed class ControlDatabaseReminderTable(NpgsqlDataSource controlDb) : IReminderTable
{
    private const string Columns = "SELECT grain_id, reminder_name, start_at, period_ms, etag FROM sentinel.reminder";

    private const string UpsertSql = """
        INSERT INTO sentinel.reminder (grain_id, reminder_name, grain_hash, start_at, period_ms, etag)
        VALUES (@grain, @name, @hash, @start, @period, 1)
        ON CONFLICT (grain_id, reminder_name) DO UPDATE
        SET start_at = excluded.start_at, period_ms = excluded.period_ms, etag = sentinel.reminder.etag + 1
        RETURNING etag
        """;

    public Task Init() => Task.CompletedTask;

    public Task<ReminderTableData> ReadRows(GrainId grainId) => ReadRows(grainId, CancellationToken.None);

    public async Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(Columns + " WHERE grain_id = @grain");
        command.Parameters.AddWithValue("grain", grainId.ToString());
        return new ReminderTableData(await ReadAsync(command, cancellationToken));
    }

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadRows(begin, end, CancellationToken.None);

    /// <summary>Rows whose grain hash lies in (begin, end], wrapping around the ring when begin >= end.</summary>
    public async Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(Columns + (begin < end
            ? " WHERE grain_hash > @begin AND grain_hash <= @end"
            : " WHERE grain_hash > @begin OR grain_hash <= @end"));
        command.Parameters.AddWithValue("begin", (long)begin);
        command.Parameters.AddWithValue("end", (long)end);
        return new ReminderTableData(await ReadAsync(command, cancellationToken));
    }

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => ReadRow(grainId, reminderName, CancellationToken.None);

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(Columns + " WHERE grain_id = @grain AND reminder_name = @name");
        command.Parameters.AddWithValue("grain", grainId.ToString());
        command.Parameters.AddWithValue("name", reminderName);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    public async Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var command = controlDb.CreateCommand(UpsertSql);
        command.Parameters.AddWithValue("grain", entry.GrainId.ToString());
        command.Parameters.AddWithValue("name", entry.ReminderName);
        command.Parameters.AddWithValue("hash", (long)entry.GrainId.GetUniformHashCode());
        command.Parameters.AddWithValue("start", DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc));
        command.Parameters.AddWithValue("period", (long)entry.Period.TotalMilliseconds);
        var etag = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return etag.ToString(CultureInfo.InvariantCulture);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var etag))
        {
            return false;
        }

        await using var command = controlDb.CreateCommand("DELETE FROM sentinel.reminder WHERE grain_id = @grain AND reminder_name = @name AND etag = @etag");
        command.Parameters.AddWithValue("grain", grainId.ToString());
        command.Parameters.AddWithValue("name", reminderName);
        command.Parameters.AddWithValue("etag", etag);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public Task TestOnlyClearTable() => TestOnlyClearTable(CancellationToken.None);

    public async Task TestOnlyClearTable(CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand("DELETE FROM sentinel.reminder");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<ReminderEntry>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc),
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }

        return entries;
    }
}
