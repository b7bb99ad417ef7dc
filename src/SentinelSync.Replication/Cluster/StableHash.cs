using System.Text;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// A hash that is the same in every process and every .NET version (unlike <c>string.GetHashCode</c>):
/// FNV-1a over UTF-8, finished with the SplitMix64 mixer so that close inputs spread over the whole range.
/// </summary>
internal static class StableHash
{
    public static ulong Of(string first, string second, string third)
    {
        var hash = 0xcbf29ce484222325UL;
        hash = Add(hash, first);
        hash = Add(hash, second);
        hash = Add(hash, third);
        return Mix(hash);
    }

    private static ulong Add(ulong hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 0x100000001b3UL;
        }

        // A separator so that ("ab", "c") and ("a", "bc") differ.
        return (hash ^ 0xff) * 0x100000001b3UL;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }
}
