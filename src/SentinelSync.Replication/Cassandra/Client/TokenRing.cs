namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>
/// The Murmur3 token ring from system.local and system.peers: each node owns the range that ends at each of its
/// tokens, so a key's token belongs to the node holding the first token at or above it (wrapping around).
/// </summary>
public sealed class TokenRing
{
    private readonly long[] _tokens;
    private readonly CqlHost[] _owners;

    public TokenRing(IEnumerable<CqlHost> hosts)
    {
        var entries = hosts.SelectMany(h => h.Tokens.Select(t => (Token: t, Host: h))).OrderBy(e => e.Token).ToArray();
        _tokens = [.. entries.Select(e => e.Token)];
        _owners = [.. entries.Select(e => e.Host)];
    }

    public bool IsEmpty => _tokens.Length == 0;

    /// <summary>The node owning <paramref name="token"/> (its primary replica); null for an empty ring.</summary>
    public CqlHost? OwnerOf(long token)
    {
        if (_tokens.Length == 0)
        {
            return null;
        }

        var index = Array.BinarySearch(_tokens, token);
        if (index < 0)
        {
            index = ~index;
        }

        return _owners[index == _tokens.Length ? 0 : index];
    }
}
