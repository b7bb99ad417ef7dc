namespace SentinelSync.Replication.Postgres;

/// <summary>Tuning of <see cref="PostgresChangeStream"/> and <see cref="PgOutputDecoder"/>; the defaults suit most sources.</summary>
public sealed class PostgresChangeStreamSettings
{
    /// <summary>Changes of one transaction gathered before they are handed out as batches (10,000).</summary>
    public int ChunkSize { get; init; } = 10_000;

    /// <summary>Changes of one streamed in-progress transaction kept in memory before spilling to disk (10,000).</summary>
    public int SpillThreshold { get; init; } = 10_000;

    /// <summary>Where spill files go (the system temp directory); they are deleted when their transaction ends.</summary>
    public string SpillDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "sentinelsync-spill");

    /// <summary>How often Npgsql sends the confirmed position without being asked (10 s).</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(10);
}
