namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>TLS towards the nodes (client_encryption_options on the server).</summary>
public sealed class CqlTlsOptions
{
    public bool Enabled { get; set; }

    /// <summary>Name checked against the node certificates; the contact point's host when unset.</summary>
    public string? ServerName { get; set; }

    /// <summary>A PEM file of the CA that signed the node certificates, when it is not in the system store.</summary>
    public string? CaFile { get; set; }
}
