using System.Globalization;

namespace SentinelSync.Replication;

/// <summary>
/// Where a change stands in the source's history: the commit LSN of its transaction and its ordinal inside
/// that transaction. Positions only grow; a sink skips anything at or below what it durably applied.
/// Snapshot rows carry the slot's consistent point with ordinal 0.
/// </summary>
[GenerateSerializer]
[Immutable]
public readonly record struct Position(ulong Lsn, long Ordinal) : IComparable<Position>
{
    public static Position Zero => default;

    public int CompareTo(Position other) =>
        Lsn != other.Lsn ? Lsn.CompareTo(other.Lsn) : Ordinal.CompareTo(other.Ordinal);

    public static bool operator <(Position left, Position right) => left.CompareTo(right) < 0;

    public static bool operator >(Position left, Position right) => left.CompareTo(right) > 0;

    public static bool operator <=(Position left, Position right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Position left, Position right) => left.CompareTo(right) >= 0;

    /// <summary>Postgres' LSN notation plus the ordinal: <c>16/B374D848#3</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Lsn >> 32:X}/{Lsn & 0xFFFFFFFF:X}#{Ordinal}");
}
