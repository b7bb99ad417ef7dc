using System.Globalization;

namespace SentinelSync.Replication;

/// <summary>
/// Where a change stands in the source's history: the commit LSN of its transaction and its ordinal inside
/// that transaction. Positions only grow; a sink skips anything at or below what it durably applied.
/// Snapshot rows carry the slot's consistent point with ordinal 0.
/// </summary>
[GenerateSerializer]
[Immutable]
public readonly record struct Position(ulong Lsn, long Ordinal) : IComparable<Position>, IUtf8SpanFormattable
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

    /// <summary>The text of <see cref="ToString"/> written as UTF-8, without the string (a Kafka header per change).</summary>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        System.Text.Unicode.Utf8.TryWrite(utf8Destination, CultureInfo.InvariantCulture, $"{Lsn >> 32:X}/{Lsn & 0xFFFFFFFF:X}#{Ordinal}", out bytesWritten);
}
