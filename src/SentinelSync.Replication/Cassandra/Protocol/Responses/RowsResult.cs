namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>RESULT kind Rows: the metadata and the rows' values, decoded by column type.</summary>
public sealed record RowsResult(RowsMetadata Metadata, IReadOnlyList<object?[]> Rows) : CqlResponse
{
    public static RowsResult Read(CqlReader reader, RowsMetadata? knownMetadata)
    {
        var metadata = RowsMetadata.Read(reader);
        var columns = metadata.Columns ?? knownMetadata?.Columns
            ?? throw new CqlProtocolException("a rows result without metadata, and none known from the prepare");
        var rowCount = reader.ReadInt();
        var rows = new List<object?[]>(Math.Min(rowCount, 10_000));
        for (var r = 0; r < rowCount; r++)
        {
            var row = new object?[metadata.ColumnCount];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = CqlValueCodec.Decode(columns[c].Type, reader.ReadBytesMemory());
            }

            rows.Add(row);
        }

        return new RowsResult(metadata with { Columns = columns }, rows);
    }

    /// <summary>The value of <paramref name="column"/> in <paramref name="row"/>, by name.</summary>
    public object? Value(object?[] row, string column)
    {
        var columns = Metadata.Columns!;
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == column)
            {
                return row[i];
            }
        }

        throw new KeyNotFoundException($"the result has no column '{column}' (it has {string.Join(", ", columns.Select(c => c.Name))})");
    }
}
