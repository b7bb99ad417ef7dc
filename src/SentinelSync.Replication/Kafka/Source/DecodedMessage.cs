namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// The outcome of decoding one message: a change, or nothing to apply (a tombstone, a connector's own message),
/// plus warnings about what was ignored (unknown envelope fields), each phrased so that equal causes give equal
/// text and can be logged once.
/// </summary>
public sealed record DecodedMessage(DecodedChange? Change, string? Skipped, IReadOnlyList<string> Warnings)
{
    public static DecodedMessage Tombstone { get; } = new(null, "tombstone (a deleted key's compaction marker; the delete before it did the work)", []);
}
