namespace SentinelSync.Hosting;

internal sealed partial class VaultRenewal
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Vault session: token TTL {Ttl} (renewable {Renewable}, Kubernetes auth {Kubernetes}), {LeasedPaths} leased secret path(s) to read again")]
    private static partial void LogSession(ILogger logger, TimeSpan ttl, bool renewable, bool kubernetes, int leasedPaths);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vault: the token expires at {ExpiresAt:u} and is not renewable; no secret can be read again after that (restart with a new token)")]
    private static partial void LogNotRenewable(ILogger logger, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vault: the token could not be looked up (retrying): {Error}")]
    private static partial void LogLookupFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vault token {Result}")]
    private static partial void LogTokenRenewed(ILogger logger, string result);

    [LoggerMessage(Level = LogLevel.Error, Message = "Vault: the token could not be renewed: {Error}; next attempt at {RetryAt:u} (none: given up)")]
    private static partial void LogTokenRenewalFailed(ILogger logger, string error, DateTimeOffset? retryAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Vault secret {Path} read again before its lease ended")]
    private static partial void LogSecretReread(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vault secret {Path} field {Field} changed (used by {Keys}); this silo goes on with the value it started with until it restarts")]
    private static partial void LogSecretChanged(ILogger logger, string path, string field, string keys);

    [LoggerMessage(Level = LogLevel.Error, Message = "Vault secret {Path} could not be read again: {Error}; next attempt at {RetryAt:u}")]
    private static partial void LogRereadFailed(ILogger logger, string path, string error, DateTimeOffset retryAt);
}
