namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>
/// RESULT kind Prepared: the statement id, in v5 the id of its result metadata (sent back with every EXECUTE), the
/// bind markers' metadata with the indexes of the partition key among them (what token-aware routing hashes), and the
/// metadata of the rows it returns.
/// </summary>
public sealed record PreparedResult(byte[] Id, IReadOnlyList<CqlColumn> Variables, IReadOnlyList<ushort> PartitionKeyIndexes, RowsMetadata ResultMetadata) : CqlResponse
{
    /// <summary>v5 only: the result metadata id; null in v4.</summary>
    public byte[]? ResultMetadataId { get; init; }

    public static PreparedResult Read(CqlReader reader)
    {
        var id = reader.ReadShortBytes();
        var resultMetadataId = reader.ProtocolVersion >= 5 ? reader.ReadShortBytes() : null;
        var flags = reader.ReadInt();
        var count = reader.ReadInt();
        var partitionKeyCount = reader.ReadInt();
        var partitionKey = new ushort[partitionKeyCount];
        for (var i = 0; i < partitionKeyCount; i++)
        {
            partitionKey[i] = reader.ReadShort();
        }

        var variables = RowsMetadata.ReadColumns(reader, flags, count);
        return new PreparedResult(id, variables, partitionKey, RowsMetadata.Read(reader)) { ResultMetadataId = resultMetadataId };
    }
}
