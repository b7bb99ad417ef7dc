using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace SentinelSync.Testing;

/// <summary>
/// Database names for tests, derived from the calling test: lower-case letters, digits and
/// underscores, at most 63 characters (Postgres' limit). The name is stable across runs, so a
/// database left behind by a crashed run is dropped by the next one; it carries a hash of the
/// caller's source file (so two checkouts sharing one server do not collide) and a counter (so
/// one test can create several databases on one server).
/// </summary>
public static class TestDatabaseName
{
    /// <summary>Postgres truncates identifiers longer than this many bytes.</summary>
    public const int MaxLength = 63;

    private const int MaxCallerLength = 36;
    private static readonly ConcurrentDictionary<string, int> _counters = new(StringComparer.Ordinal);

    /// <summary>The next name for databases created by <paramref name="callerName"/> in <paramref name="callerFile"/>.</summary>
    public static string Next(string callerName, string callerFile)
    {
        var stem = $"st_{Sanitize(callerName)}_{ShortHash(callerFile + "\n" + callerName)}";
        var ordinal = _counters.AddOrUpdate(stem, 1, (_, previous) => previous + 1);
        return $"{stem}_{ordinal}";
    }

    /// <summary>Keeps <c>[a-z0-9_]</c>, maps everything else to <c>_</c>, collapses runs, truncates.</summary>
    public static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            var keep = c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            if (keep)
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        var sanitized = builder.ToString().Trim('_');
        if (sanitized.Length > MaxCallerLength)
        {
            sanitized = sanitized[..MaxCallerLength].TrimEnd('_');
        }

        return sanitized.Length == 0 ? "db" : sanitized;
    }

    private static string ShortHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];
}
