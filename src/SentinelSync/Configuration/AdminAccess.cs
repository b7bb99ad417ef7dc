using System.Collections;
using System.Net;

namespace SentinelSync.Configuration;

/// <summary>
/// Who may use the admin API: anyone who reaches a loopback listener when no token is set, otherwise only
/// requests bearing <c>silo.token</c> (or <c>SENTINEL_TOKEN</c>). A silo refuses to listen beyond loopback
/// without a token.
/// </summary>
public static class AdminAccess
{
    public const string TokenVariable = "SENTINEL_TOKEN";

    /// <summary>Takes the token from <c>SENTINEL_TOKEN</c> when the file has none, then checks the listen address.</summary>
    /// <exception cref="ConfigurationException">A non-loopback <c>silo.listen</c> without a token.</exception>
    public static void Apply(string file, SentinelConfig config, IDictionary environment)
    {
        if (string.IsNullOrEmpty(config.Silo.Token) && environment[TokenVariable] is string { Length: > 0 } token)
        {
            config.Silo.Token = token;
        }

        if (Problem(config.Silo) is { } problem)
        {
            throw new ConfigurationException(file, "silo.listen", problem);
        }
    }

    /// <summary>Why this silo must not start as configured, or null.</summary>
    public static string? Problem(SiloConfig silo) =>
        string.IsNullOrEmpty(silo.Token) && !IsLoopback(silo.Listen)
            ? $"'{silo.Listen}' is not a loopback address, and no token is set: set silo.token (or {TokenVariable}) so that the admin API is not open to the network, or listen on 127.0.0.1"
            : null;

    public static bool IsLoopback(string listen) =>
        string.Equals(listen, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(listen, out var address) && IPAddress.IsLoopback(address));
}
