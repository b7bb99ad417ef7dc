namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>REGISTER: the event types this connection wants pushed (TOPOLOGY_CHANGE, STATUS_CHANGE, SCHEMA_CHANGE).</summary>
public sealed class RegisterRequest(IReadOnlyList<string> eventTypes) : CqlRequest
{
    public IReadOnlyList<string> EventTypes { get; } = eventTypes;

    public override CqlOpcode Opcode => CqlOpcode.Register;

    public override void WriteBody(CqlWriter writer) => writer.WriteStringList(EventTypes);
}
