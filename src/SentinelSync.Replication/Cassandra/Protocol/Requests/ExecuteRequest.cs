namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>
/// EXECUTE: a prepared statement's id, in v5 the id of the result metadata the client holds (from PREPARED), and the
/// parameters.
/// </summary>
public sealed class ExecuteRequest(byte[] preparedId, QueryParameters parameters, byte[]? resultMetadataId = null) : CqlRequest
{
    public byte[] PreparedId { get; } = preparedId;

    public byte[]? ResultMetadataId { get; } = resultMetadataId;

    public QueryParameters Parameters { get; } = parameters;

    public override CqlOpcode Opcode => CqlOpcode.Execute;

    public override void WriteBody(CqlWriter writer)
    {
        writer.WriteShortBytes(PreparedId);
        if (writer.ProtocolVersion >= 5)
        {
            writer.WriteShortBytes(ResultMetadataId ?? throw new ArgumentException("a v5 EXECUTE needs the result metadata id of its PREPARED result"));
        }

        Parameters.Write(writer);
    }
}
