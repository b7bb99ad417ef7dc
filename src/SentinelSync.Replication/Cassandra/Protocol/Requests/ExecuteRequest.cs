namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>EXECUTE: a prepared statement's id and its parameters (v4: no result metadata id).</summary>
public sealed class ExecuteRequest(byte[] preparedId, QueryParameters parameters) : CqlRequest
{
    public byte[] PreparedId { get; } = preparedId;

    public QueryParameters Parameters { get; } = parameters;

    public override CqlOpcode Opcode => CqlOpcode.Execute;

    public override void WriteBody(CqlWriter writer)
    {
        writer.WriteShortBytes(PreparedId);
        Parameters.Write(writer);
    }
}
