namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// One bound value as it goes on the wire: its serialized bytes, null (a CQL null, length -1) or unset (length -2,
/// protocol v4: the column is not written at all, which is how unchanged TOAST values stay out of a write).
/// </summary>
public readonly record struct CqlValue
{
    private CqlValue(byte[]? bytes, bool isUnset)
    {
        Bytes = bytes;
        IsUnset = isUnset;
    }

    public byte[]? Bytes { get; }

    public bool IsUnset { get; }

    public static CqlValue Null => new(null, false);

    public static CqlValue Unset => new(null, true);

    public static CqlValue Of(byte[]? bytes) => new(bytes, false);
}
