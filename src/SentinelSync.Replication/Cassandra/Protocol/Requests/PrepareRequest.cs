namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>PREPARE (v4 body: the query as a [long string]).</summary>
public sealed class PrepareRequest(string query) : CqlRequest
{
    public string Query { get; } = query;

    public override CqlOpcode Opcode => CqlOpcode.Prepare;

    public override void WriteBody(CqlWriter writer) => writer.WriteLongString(Query);
}
