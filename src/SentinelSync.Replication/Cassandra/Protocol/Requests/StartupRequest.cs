namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>STARTUP: the options map (CQL_VERSION required; DRIVER_NAME/DRIVER_VERSION shown by the server in system_views.clients).</summary>
public sealed class StartupRequest(IReadOnlyList<KeyValuePair<string, string>> options) : CqlRequest
{
    public IReadOnlyList<KeyValuePair<string, string>> Options { get; } = options;

    public override CqlOpcode Opcode => CqlOpcode.Startup;

    public override void WriteBody(CqlWriter writer) => writer.WriteStringMap(Options);
}
