using System.Globalization;

namespace SentinelSync.Admin;

/// <summary>Postgres' LSN notation (<c>16/B374D848</c>) for API output.</summary>
internal static class Lsn
{
    public static string Format(ulong lsn) => string.Create(CultureInfo.InvariantCulture, $"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}");
}
