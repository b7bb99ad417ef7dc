namespace SentinelSync.Configuration;

/// <summary>What a holder of an admin token may do.</summary>
public enum AdminRole
{
    /// <summary>Read only: status, pipelines, grains, metrics, the dead-letter list, the audit trail.</summary>
    Viewer,

    /// <summary>Everything a viewer may, and every state-changing call: pause, resume, resync, replay, discard, grain calls.</summary>
    Operator,
}

/// <summary>
/// One entry of <c>silo.tokens</c>: a bearer token for the admin API, the <see cref="Id"/> the audit trail names
/// its holder by (never the token itself), and its <see cref="Role"/>.
/// </summary>
public sealed class AdminTokenConfig
{
    public string? Id { get; set; }

    public string? Token { get; set; }

    /// <summary><c>viewer</c> (default) or <c>operator</c>; text, checked by <see cref="AdminAccess"/>, because the binder silently drops a list entry whose enum value does not parse.</summary>
    public string Role { get; set; } = "viewer";
}
