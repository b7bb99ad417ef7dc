namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>
/// The parameters shared by QUERY and EXECUTE (v4 section 4.1.4): consistency, the flags (a [byte] in v4, an [int] in
/// v5), then only what the flags announce, in this order: values, page size, paging state, serial consistency,
/// default timestamp. The v5 keyspace and now_in_seconds fields are never sent.
/// </summary>
public sealed record QueryParameters
{
    public CqlConsistency Consistency { get; init; } = CqlConsistency.One;

    /// <summary>Positional bound values, already serialized; empty for none.</summary>
    public IReadOnlyList<CqlValue> Values { get; init; } = [];

    /// <summary>Rows per page; null sends no page size (the server's default).</summary>
    public int? PageSize { get; init; }

    public byte[]? PagingState { get; init; }

    public CqlConsistency? SerialConsistency { get; init; }

    /// <summary>
    /// A client-side default timestamp (µs). The sink leaves it null: its statements carry <c>USING TIMESTAMP</c>
    /// themselves, and without either the server would stamp its own clock.
    /// </summary>
    public long? DefaultTimestamp { get; init; }

    /// <summary>Ask the server to send no result metadata (EXECUTE, when the prepared result metadata is known).</summary>
    public bool SkipMetadata { get; init; }

    [Flags]
    private enum Flags
    {
        Values = 0x01,
        SkipMetadata = 0x02,
        PageSize = 0x04,
        PagingState = 0x08,
        SerialConsistency = 0x10,
        DefaultTimestamp = 0x20,
    }

    public void Write(CqlWriter writer)
    {
        var flags = (Values.Count > 0 ? Flags.Values : 0)
            | (SkipMetadata ? Flags.SkipMetadata : 0)
            | (PageSize is not null ? Flags.PageSize : 0)
            | (PagingState is not null ? Flags.PagingState : 0)
            | (SerialConsistency is not null ? Flags.SerialConsistency : 0)
            | (DefaultTimestamp is not null ? Flags.DefaultTimestamp : 0);
        writer.WriteShort((ushort)Consistency);
        if (writer.ProtocolVersion >= 5)
        {
            writer.WriteInt((int)flags);
        }
        else
        {
            writer.WriteByte((byte)flags);
        }
        if (Values.Count > 0)
        {
            writer.WriteShort(checked((ushort)Values.Count));
            foreach (var value in Values)
            {
                writer.WriteValue(value);
            }
        }

        if (PageSize is { } pageSize)
        {
            writer.WriteInt(pageSize);
        }

        if (PagingState is not null)
        {
            writer.WriteBytes(PagingState);
        }

        if (SerialConsistency is { } serial)
        {
            writer.WriteShort((ushort)serial);
        }

        if (DefaultTimestamp is { } timestamp)
        {
            writer.WriteLong(timestamp);
        }
    }
}
