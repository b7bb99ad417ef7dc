namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// A part of a table compared as one checksum: either the keys after <see cref="After"/> up to and including
/// <see cref="Through"/> (null: unbounded) in key order, or, when <see cref="Buckets"/> is set, the rows whose key
/// hashes to bucket <see cref="Index"/> of <see cref="Buckets"/> (used where both sides cannot order keys alike).
/// </summary>
internal sealed record Chunk(int Index, string[]? After, string[]? Through, int Buckets = 0)
{
    public bool IsBucket => Buckets > 0;

    public override string ToString() => IsBucket
        ? $"bucket {Index} of {Buckets}"
        : $"({(After is null ? "start" : Describe(After))}, {(Through is null ? "end" : Describe(Through))}]";

    private static string Describe(string[] key) => key.Length == 1 ? key[0] : "(" + string.Join(", ", key) + ")";
}

/// <summary>A chunk's row count and order-independent sum of row hashes, computed by the server.</summary>
internal readonly record struct ChunkDigest(long Rows, string Sum);

/// <summary>One row's key (text values of the key columns, in column order) and the hash of its comparable text.</summary>
internal sealed record RowDigest(string[] Key, string Hash)
{
    public static string IdOf(string[] key) => string.Join('\u001f', key);
}
