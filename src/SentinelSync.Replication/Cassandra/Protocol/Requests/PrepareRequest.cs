namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>PREPARE: the query as a [long string]; v5 adds an [int] of flags (0: no keyspace of its own).</summary>
public sealed class PrepareRequest(string query) : CqlRequest
{
    public string Query { get; } = query;

    public override CqlOpcode Opcode => CqlOpcode.Prepare;

    public override void WriteBody(CqlWriter writer)
    {
        writer.WriteLongString(Query);
        if (writer.ProtocolVersion >= 5)
        {
            writer.WriteInt(0);
        }
    }
}
