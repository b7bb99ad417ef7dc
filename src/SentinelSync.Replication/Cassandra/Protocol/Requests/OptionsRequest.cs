namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>OPTIONS: asks for SUPPORTED (protocol versions, compression, CQL versions); also a cheap heartbeat.</summary>
public sealed class OptionsRequest : CqlRequest
{
    public override CqlOpcode Opcode => CqlOpcode.Options;

    public override void WriteBody(CqlWriter writer)
    {
    }
}
