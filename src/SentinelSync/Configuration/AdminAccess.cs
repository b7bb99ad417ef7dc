using System.Collections;
using System.Net;
using System.Text.RegularExpressions;

namespace SentinelSync.Configuration;

/// <summary>A holder of an admin token, as the API authorises and the audit trail names it.</summary>
public sealed record AdminIdentity(string Id, string Token, AdminRole Role);

/// <summary>
/// Who may use the admin API: anyone who reaches a loopback listener when no token is set, otherwise only
/// requests bearing a configured token: <c>silo.token</c> (or <c>SENTINEL_TOKEN</c>), an operator token, and the
/// entries of <c>silo.tokens</c>, each with an id and a role. A silo refuses to listen beyond loopback without a
/// token.
/// </summary>
public static partial class AdminAccess
{
    public const string TokenVariable = "SENTINEL_TOKEN";

    /// <summary>The audit trail's name for the holder of <c>silo.token</c>.</summary>
    public const string SiloTokenId = "silo.token";

    /// <summary>Tokens shorter than this are refused in <c>silo.tokens</c>: they can be guessed.</summary>
    private const int MinimumTokenLength = 16;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$")]
    private static partial Regex TokenId();

    /// <summary>Takes the token from <c>SENTINEL_TOKEN</c> when the file has none, checks the tokens and the listen address.</summary>
    /// <exception cref="ConfigurationException">A malformed <c>silo.tokens</c> entry, or a non-loopback <c>silo.listen</c> without a token.</exception>
    public static void Apply(string file, SentinelConfig config, IDictionary environment)
    {
        if (string.IsNullOrEmpty(config.Silo.Token) && environment[TokenVariable] is string { Length: > 0 } token)
        {
            config.Silo.Token = token;
        }

        var seenIds = new HashSet<string>(StringComparer.Ordinal) { SiloTokenId };
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(config.Silo.Token))
        {
            seenTokens.Add(config.Silo.Token);
        }

        for (var i = 0; i < config.Silo.Tokens.Count; i++)
        {
            var entry = config.Silo.Tokens[i];
            var at = $"silo.tokens[{i}]";
            if (entry.Id is null || !TokenId().IsMatch(entry.Id))
            {
                throw new ConfigurationException(file, $"{at}.id", "is required: a name for the token's holder in the audit trail (letters, digits, . _ @ -), e.g. ops-alice");
            }

            if (!seenIds.Add(entry.Id))
            {
                throw new ConfigurationException(file, $"{at}.id", $"'{entry.Id}' is used twice (or is the reserved id of silo.token); each token needs its own id");
            }

            if (entry.Token is null || entry.Token.Length < MinimumTokenLength)
            {
                throw new ConfigurationException(file, $"{at}.token", $"is required and must be at least {MinimumTokenLength} characters (e.g. ${{file:/run/secrets/{entry.Id}}}, filled from `openssl rand -hex 24`)");
            }

            if (ParseRole(entry.Role) is null)
            {
                throw new ConfigurationException(file, $"{at}.role", $"'{entry.Role}' is not a valid role: viewer (read only) or operator (may also pause, resume, resync, replay, discard and call grains)");
            }

            if (!seenTokens.Add(entry.Token))
            {
                throw new ConfigurationException(file, $"{at}.token", "is the same token as another entry (or silo.token): the audit trail could not tell their holders apart");
            }
        }

        if (Problem(config.Silo) is { } problem)
        {
            throw new ConfigurationException(file, "silo.listen", problem);
        }
    }

    /// <summary>Every configured token with its holder's id and role; empty when the API is open (loopback, no token).</summary>
    public static IReadOnlyList<AdminIdentity> Identities(SiloConfig silo) =>
    [
        .. string.IsNullOrEmpty(silo.Token) ? [] : new[] { new AdminIdentity(SiloTokenId, silo.Token, AdminRole.Operator) },
        .. silo.Tokens.Where(t => !string.IsNullOrEmpty(t.Token)).Select(t => new AdminIdentity(t.Id!, t.Token!, ParseRole(t.Role) ?? AdminRole.Viewer)),
    ];

    private static AdminRole? ParseRole(string? role) =>
        Enum.TryParse<AdminRole>(role, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(role, out _) ? parsed : null;

    /// <summary>Why this silo must not start as configured, or null.</summary>
    public static string? Problem(SiloConfig silo) =>
        Identities(silo).Count == 0 && !IsLoopback(silo.Listen)
            ? $"'{silo.Listen}' is not a loopback address, and no token is set: set silo.token (or {TokenVariable}) or silo.tokens so that the admin API is not open to the network, or listen on 127.0.0.1"
            : null;

    public static bool IsLoopback(string listen) =>
        string.Equals(listen, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(listen, out var address) && IPAddress.IsLoopback(address));
}
