using System.Collections;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SentinelSync.Configuration;
using SentinelSync.Hosting;
using SentinelSync.Testing;
using SentinelSync.Testing.Vault;

namespace SentinelSync.Tests.Configuration;

/// <summary>
/// The silo's Vault session after start (<see cref="VaultRenewal"/>) against <see cref="VaultStandIn"/> (a labelled
/// stand-in; no Vault server runs here), with TTLs of seconds and real time: a renewable token is renewed before it
/// expires, a Kubernetes token that cannot be renewed is replaced by a new login, a leased secret is read again and a
/// changed value is reported by key, never by value.
/// </summary>
public sealed class VaultRenewalTests : IAsyncLifetime, IDisposable
{
    private const string Password = "pg-Vault-Pw-renew-41c9";

    private const string RotatedPassword = "pg-Vault-Pw-rotated-93aa";

    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(20);

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-vault-renewal-").FullName;
    private readonly VaultStandIn _vault = VaultStandIn.Start();
    private readonly ListLogger _log = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_renewable_token_is_renewed_before_it_expires_and_a_leased_secret_is_read_again_and_its_change_reported_without_the_value()
    {
        const string token = "hvs.renewable-3s";
        _vault.IssueToken(token, TimeSpan.FromSeconds(3), renewable: true);
        _vault.PutLeased("database/creds/sentinel", new() { ["password"] = Password }, TimeSpan.FromSeconds(3));
        var config = SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", token: {token} }}", "${vault:database/creds/sentinel#password}"), Env());
        config.ControlDb.ShouldNotBeNull().ShouldContain(Password);

        await using var renewal = await StartAsync(config);

        // Three TTLs later the token still works: it was renewed each time before it ran out.
        await Eventually.WaitAsync(() => Task.FromResult(_vault.Renewals >= 3), s_within, () => $"three renewals, saw {_vault.Renewals}");
        _vault.IsValid(token).ShouldBeTrue("renewed before its TTL ran out");
        await Eventually.WaitAsync(() => Task.FromResult(_vault.Reads("database/creds/sentinel") >= 3), s_within, () => $"the leased secret read again, reads {_vault.Reads("database/creds/sentinel")}");

        // Rotated in Vault: reported with the keys that use it, never with either value.
        _vault.PutLeased("database/creds/sentinel", new() { ["password"] = RotatedPassword }, TimeSpan.FromSeconds(3));
        await Eventually.WaitAsync(() => Task.FromResult(_log.Contains("field password changed")), s_within, () => "the change reported");
        var changed = _log.Lines.Single(l => l.Contains("field password changed", StringComparison.Ordinal));
        changed.ShouldContain("database/creds/sentinel");
        changed.ShouldContain("controlDb");
        changed.ShouldContain("the value it started with");
        _log.Lines.ShouldAllBe(l => !l.Contains(Password) && !l.Contains(RotatedPassword) && !l.Contains(token));
    }

    [Fact]
    public async Task A_kubernetes_token_that_cannot_be_renewed_is_replaced_by_a_new_login_before_it_expires()
    {
        var jwt = Path.Combine(_directory, "sa-token");
        await File.WriteAllTextAsync(jwt, "eyJ.service-account.jwt");
        _vault.KubernetesLogins[("sentinel", "eyJ.service-account.jwt")] = "hvs.k8s-issued";
        _vault.LoginTtl = TimeSpan.FromSeconds(3);
        _vault.LoginRenewable = false;
        _vault.Put("secret/data/sentinel", new() { ["pg_password"] = Password });
        var config = SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", kubernetes: {{ role: sentinel, jwtPath: \"{jwt}\" }} }}", "${vault:secret/data/sentinel#pg_password}"), Env());
        _vault.Logins.ShouldBe(1);

        await using var renewal = await StartAsync(config);

        await Eventually.WaitAsync(() => Task.FromResult(_vault.Logins >= 4), s_within, () => $"three new logins, saw {_vault.Logins - 1}");
        _vault.Renewals.ShouldBe(0, "the token is not renewable: nothing asked to renew it");
        _vault.IsValid("hvs.k8s-issued").ShouldBeTrue();
        _log.Lines.ShouldAllBe(l => !l.Contains("hvs.k8s-issued") && !l.Contains("eyJ.service-account.jwt"));
    }

    [Fact]
    public async Task A_configured_token_that_cannot_be_renewed_is_left_alone_and_its_expiry_announced()
    {
        const string token = "hvs.batch-token";
        _vault.IssueToken(token, TimeSpan.FromMinutes(10), renewable: false);
        _vault.Put("secret/data/sentinel", new() { ["pg_password"] = Password });
        var config = SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", token: {token} }}", "${vault:secret/data/sentinel#pg_password}"), Env());

        await using var renewal = await StartAsync(config);

        await Eventually.WaitAsync(() => Task.FromResult(_log.Contains("is not renewable")), s_within, () => "the warning that the token will expire");
        _vault.Renewals.ShouldBe(0);
    }

    private async Task<RunningRenewal> StartAsync(SentinelConfig config)
    {
        var renewal = new VaultRenewal(config.VaultSession.ShouldNotBeNull(), TimeProvider.System, _log);
        await renewal.StartAsync(CancellationToken.None);
        return new RunningRenewal(renewal);
    }

    private string Write(string vault, string password)
    {
        var path = Path.Combine(_directory, "sentinel.yaml");
        File.WriteAllText(path, $$"""
            controlDb: "Host=127.0.0.1;Database=sentinel;Username=postgres;Password={{password}}"
            silo: { name: s1 }
            vault: {{vault}}
            pipelines: []
            """);
        return path;
    }

    private static IDictionary Env() => new Dictionary<string, string>();

    private sealed class RunningRenewal(VaultRenewal renewal) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await renewal.StopAsync(CancellationToken.None);
            renewal.Dispose();
        }
    }

    private sealed class ListLogger : ILogger<VaultRenewal>
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public bool Contains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
