namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// The <c>_version</c> of a row: its source position as one UInt64 that grows with the position,
/// <c>lsn · 2⁸ + min(ordinal, 255)</c>. LSNs up to 2⁵⁶ (64 PiB of WAL) fit. Rows of one key that share a commit
/// LSN and have ordinals ≥ 255 get equal versions; ReplacingMergeTree then keeps the last inserted, and the sink
/// inserts in source order, so the later change still wins.
/// </summary>
public static class ClickHouseVersion
{
    public const int OrdinalBits = 8;

    public const ulong MaxLsn = (1UL << (64 - OrdinalBits)) - 1;

    public static ulong Encode(Position position)
    {
        if (position.Lsn > MaxLsn)
        {
            throw new ClickHouseValueException($"LSN of {position} is beyond 2^56; the _version encoding cannot order it.");
        }

        var ordinal = (ulong)Math.Clamp(position.Ordinal, 0, (1L << OrdinalBits) - 1);
        return (position.Lsn << OrdinalBits) | ordinal;
    }
}
