namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>QUERY: a CQL string and its parameters.</summary>
public sealed class QueryRequest(string query, QueryParameters parameters) : CqlRequest
{
    public string Query { get; } = query;

    public QueryParameters Parameters { get; } = parameters;

    public override CqlOpcode Opcode => CqlOpcode.Query;

    public override void WriteBody(CqlWriter writer)
    {
        writer.WriteLongString(Query);
        Parameters.Write(writer);
    }
}
