namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>
/// A schema change as RESULT kind Schema_change and the SCHEMA_CHANGE event carry it: CREATED/UPDATED/DROPPED, the
/// target (KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE), the keyspace, and for the others the name (and argument types).
/// </summary>
public sealed record SchemaChange(string ChangeType, string Target, string Keyspace, string? Name, IReadOnlyList<string> ArgumentTypes)
{
    public static SchemaChange Read(CqlReader reader)
    {
        var change = reader.ReadString();
        var target = reader.ReadString();
        var keyspace = reader.ReadString();
        return target switch
        {
            "KEYSPACE" => new SchemaChange(change, target, keyspace, null, []),
            "TABLE" or "TYPE" => new SchemaChange(change, target, keyspace, reader.ReadString(), []),
            "FUNCTION" or "AGGREGATE" => new SchemaChange(change, target, keyspace, reader.ReadString(), reader.ReadStringList()),
            _ => throw new CqlProtocolException($"schema change of unknown target '{target}'"),
        };
    }
}
