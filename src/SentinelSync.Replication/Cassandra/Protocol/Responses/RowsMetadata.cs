namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>
/// Result metadata (v4 section 4.2.5.2): the columns (absent when the request asked to skip them) and the paging state
/// to fetch the next page, if there is one; in v5 also the new result metadata id when the table changed since PREPARE.
/// </summary>
public sealed record RowsMetadata(IReadOnlyList<CqlColumn>? Columns, int ColumnCount, byte[]? PagingState)
{
    private const int GlobalTablesSpec = 0x0001;
    private const int HasMorePages = 0x0002;
    private const int NoMetadata = 0x0004;
    private const int MetadataChanged = 0x0008;

    /// <summary>v5: the id of the metadata that came with this result, when it differs from the one the EXECUTE named.</summary>
    public byte[]? NewMetadataId { get; init; }

    public static RowsMetadata Read(CqlReader reader)
    {
        var flags = reader.ReadInt();
        var columnCount = reader.ReadInt();
        var pagingState = (flags & HasMorePages) != 0 ? reader.ReadBytes() : null;
        if ((flags & NoMetadata) != 0)
        {
            return new RowsMetadata(null, columnCount, pagingState);
        }

        var newMetadataId = (flags & MetadataChanged) != 0 ? reader.ReadShortBytes() : null;
        return new RowsMetadata(ReadColumns(reader, flags, columnCount), columnCount, pagingState) { NewMetadataId = newMetadataId };
    }

    /// <summary>Column specs: one keyspace/table for all when the global flag is set, else one per column.</summary>
    internal static IReadOnlyList<CqlColumn> ReadColumns(CqlReader reader, int flags, int count)
    {
        string? keyspace = null, table = null;
        if ((flags & GlobalTablesSpec) != 0)
        {
            keyspace = reader.ReadString();
            table = reader.ReadString();
        }

        var columns = new CqlColumn[count];
        for (var i = 0; i < count; i++)
        {
            var columnKeyspace = keyspace ?? reader.ReadString();
            var columnTable = table ?? reader.ReadString();
            columns[i] = new CqlColumn(columnKeyspace, columnTable, reader.ReadString(), CqlType.Read(reader));
        }

        return columns;
    }
}
