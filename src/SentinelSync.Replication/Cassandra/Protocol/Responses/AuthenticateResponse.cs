namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>AUTHENTICATE: the server's authenticator class (e.g. org.apache.cassandra.auth.PasswordAuthenticator).</summary>
public sealed record AuthenticateResponse(string Authenticator) : CqlResponse;
