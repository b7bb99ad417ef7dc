using SentinelSync.Configuration;

namespace SentinelSync.Hosting;

/// <summary>
/// Keeps the silo's Vault session alive: renews the token (<c>renew-self</c>) two thirds into its TTL, or logs in again
/// with Kubernetes auth when it cannot be renewed, and reads every secret that came with a lease again two thirds into
/// that lease. A value that changed is reported (with the keys it feeds, never the value): the silo goes on with the
/// value it started with, since connections and tokens built from it are not rebuilt in flight. A failure is retried
/// (a third of the time left, between 1 and 30 s) and logged; it never stops the silo.
/// </summary>
internal sealed partial class VaultRenewal(VaultSecrets vault, TimeProvider time, ILogger<VaultRenewal> logger) : BackgroundService
{
    private static readonly TimeSpan s_shortestRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_longestRetry = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, DateTimeOffset> _pathRetries = new(StringComparer.Ordinal);
    private DateTimeOffset? _tokenRetry;
    private bool _tokenGivenUp;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await LearnTokenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = NextDue();
            if (due is null)
            {
                return;
            }

            var wait = due.Value - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stoppingToken);
            }

            await RenewDueAsync(stoppingToken);
        }
    }

    public override void Dispose()
    {
        vault.Dispose();
        base.Dispose();
    }

    private async Task LearnTokenAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await vault.LookUpTokenAsync(stoppingToken);
                break;
            }
            catch (VaultRenewalException e)
            {
                LogLookupFailed(logger, e.Message);
                await Task.Delay(s_longestRetry, time, stoppingToken);
            }
        }

        var lease = vault.TokenLease!;
        LogSession(logger, lease.Ttl, lease.Renewable, vault.UsesKubernetes, vault.LeasedPaths.Count());
        if (lease.ExpiresAt is { } expires && !lease.Renewable && !vault.UsesKubernetes)
        {
            LogNotRenewable(logger, expires);
            _tokenGivenUp = true;
        }
    }

    private DateTimeOffset? NextDue()
    {
        IEnumerable<DateTimeOffset> dues = vault.LeasedPaths.Select(p => _pathRetries.TryGetValue(p.Path, out var retry) ? retry : p.Due);
        if (!_tokenGivenUp && (_tokenRetry ?? vault.TokenLease?.RenewAt) is { } token)
        {
            dues = dues.Append(token);
        }

        return dues.Any() ? dues.Min() : null;
    }

    private async Task RenewDueAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        if (!_tokenGivenUp && (_tokenRetry ?? vault.TokenLease?.RenewAt) is { } tokenDue && tokenDue <= now)
        {
            var expires = vault.TokenLease?.ExpiresAt;
            try
            {
                LogTokenRenewed(logger, await vault.RenewTokenAsync(stoppingToken));
                _tokenRetry = null;
            }
            catch (Exception e) when (e is VaultRenewalException or IOException or UnauthorizedAccessException)
            {
                _tokenRetry = RetryAt(now, expires);
                _tokenGivenUp = !vault.UsesKubernetes && expires <= now;
                LogTokenRenewalFailed(logger, e.Message, _tokenGivenUp ? null : _tokenRetry);
            }
        }

        foreach (var (path, due) in vault.LeasedPaths.ToList())
        {
            var at = _pathRetries.TryGetValue(path, out var retry) ? retry : due;
            if (at > now)
            {
                continue;
            }

            try
            {
                foreach (var (field, keys) in await vault.RereadAsync(path, stoppingToken))
                {
                    LogSecretChanged(logger, path, field, string.Join(", ", keys));
                }

                _pathRetries.Remove(path);
                LogSecretReread(logger, path);
            }
            catch (VaultRenewalException e)
            {
                var lease = vault.LeasedPaths.First(p => p.Path == path).Due;
                _pathRetries[path] = RetryAt(now, lease + ((lease - now) / 2));
                LogRereadFailed(logger, path, e.Message, _pathRetries[path]);
            }
        }
    }

    private static DateTimeOffset RetryAt(DateTimeOffset now, DateTimeOffset? end)
    {
        var left = end is { } e ? e - now : s_longestRetry * 3;
        return now + TimeSpan.FromTicks(Math.Clamp(left.Ticks / 3, s_shortestRetry.Ticks, s_longestRetry.Ticks));
    }
}
