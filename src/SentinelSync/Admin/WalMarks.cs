using Npgsql;

namespace SentinelSync.Admin;

/// <summary>
/// <c>sentinel.pipeline_wal_mark</c> in the control database: per pipeline, the moment its lag counts from
/// (<see cref="WalTimeline.Anchor"/>: the latest moment its applied position was known to have reached the source's
/// WAL end, or the oldest one its silo saw), so that the lag of a pipeline that is behind when a silo starts carries
/// on from there (<see cref="WalTimeline.Seed"/>). A mark only moves forward in time.
/// </summary>
internal sealed class WalMarks(NpgsqlDataSource controlDb)
{
    private const string ReadSql = "SELECT seen_at, wal_end FROM sentinel.pipeline_wal_mark WHERE pipeline = @pipeline";

    private const string WriteSql = """
        INSERT INTO sentinel.pipeline_wal_mark (pipeline, wal_end, seen_at) VALUES (@pipeline, @wal_end, @seen_at)
        ON CONFLICT (pipeline) DO UPDATE SET wal_end = excluded.wal_end, seen_at = excluded.seen_at
        WHERE sentinel.pipeline_wal_mark.seen_at < excluded.seen_at
        """;

    public async Task<(DateTimeOffset At, ulong WalEnd)?> ReadAsync(string pipeline, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(ReadSql);
        command.Parameters.AddWithValue("pipeline", pipeline);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetFieldValue<DateTimeOffset>(0), (ulong)reader.GetDecimal(1))
            : null;
    }

    public async Task WriteAsync(string pipeline, DateTimeOffset at, ulong walEnd, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(WriteSql);
        command.Parameters.AddWithValue("pipeline", pipeline);
        command.Parameters.AddWithValue("wal_end", (decimal)walEnd);
        command.Parameters.AddWithValue("seen_at", at);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
