using System.Collections;
using SentinelSync.Configuration;
using SentinelSync.Testing.Vault;

namespace SentinelSync.Tests.Configuration;

/// <summary>
/// <c>${vault:PATH#FIELD}</c> references, resolved when the configuration loads, against <see cref="VaultStandIn"/>
/// (a labelled stand-in implementing Vault's KV v2 read and Kubernetes login; no Vault server runs here).
/// </summary>
public sealed class VaultSecretsTests : IAsyncLifetime, IDisposable
{
    private const string Password = "pg-Vault-Pw-41c9";

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-vault-").FullName;
    private readonly VaultStandIn _vault = VaultStandIn.Start();

    public Task InitializeAsync()
    {
        _vault.Put("secret/data/sentinel", new() { ["pg_password"] = Password, ["ch_password"] = "ch-Vault-Pw-77" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string vault, string password = "${vault:secret/data/sentinel#pg_password}")
    {
        var path = Path.Combine(_directory, "sentinel.yaml");
        File.WriteAllText(path, $$"""
            controlDb: "Host=127.0.0.1;Database=sentinel;Username=postgres;Password={{password}}"
            silo: { name: s1 }
            vault: {{vault}}
            pipelines:
              - name: shop
                source:
                  postgres:
                    connection: "Host=127.0.0.1;Database=shop;Username=postgres;Password={{password}}"
                    publication: p
                    slot: s
                    tables: ["public.*"]
                sinks:
                  - name: analytics
                    clickhouse: { url: "http://127.0.0.1:8123", database: a, password: "${vault:secret/data/sentinel#ch_password}" }
            """);
        return path;
    }

    private static IDictionary Env(params (string Key, string Value)[] variables) => variables.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void References_resolve_with_a_token_each_path_is_read_once_and_every_value_is_a_secret()
    {
        var config = SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", token: \"${{env:MY_VAULT_TOKEN}}\" }}"), Env(("MY_VAULT_TOKEN", _vault.Token)));

        config.ControlDb.ShouldEndWith($"Password={Password}");
        config.Pipelines[0].Source!.Postgres!.Connection.ShouldEndWith($"Password={Password}");
        config.Pipelines[0].Sinks[0].ClickHouse!.Password.ShouldBe("ch-Vault-Pw-77");
        _vault.Reads("secret/data/sentinel").ShouldBe(1, "one read per path, however many fields and keys use it");
        var redactor = new Redactor(config);
        redactor.Redact($"{Password} ch-Vault-Pw-77 {_vault.Token}")!.ShouldNotContain(Password);
        redactor.Redact(_vault.Token)!.ShouldNotContain(_vault.Token);
        redactor.Redact("ch-Vault-Pw-77")!.ShouldNotContain("ch-Vault-Pw-77");
    }

    [Fact]
    public void VAULT_ADDR_and_VAULT_TOKEN_apply_when_the_section_is_empty()
    {
        var config = SentinelConfigLoader.Load(Write("{}"), Env(("VAULT_ADDR", _vault.Address), ("VAULT_TOKEN", _vault.Token)));

        config.ControlDb.ShouldEndWith($"Password={Password}");
        new Redactor(config).Redact(_vault.Token)!.ShouldNotContain(_vault.Token);
    }

    [Fact]
    public void Kubernetes_auth_logs_in_with_the_service_account_token_and_reads_with_the_issued_one()
    {
        var jwt = Path.Combine(_directory, "sa-token");
        File.WriteAllText(jwt, "eyJhbGciOiJSUzI1NiJ9.pod-jwt.sig\n");
        _vault.KubernetesLogins[("sentinel", "eyJhbGciOiJSUzI1NiJ9.pod-jwt.sig")] = "hvs.issued-for-the-pod";

        var config = SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", kubernetes: {{ role: sentinel, jwtPath: \"{jwt}\" }} }}"), Env());

        config.ControlDb.ShouldEndWith($"Password={Password}");
        new Redactor(config).Redact("hvs.issued-for-the-pod")!.ShouldNotContain("hvs.issued-for-the-pod");
    }

    [Fact]
    public void A_refused_token_names_the_key_the_path_and_the_reason_never_the_token()
    {
        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", token: hvs.wrong-token-123 }}"), Env()));

        error.Key.ShouldBe("controlDb");
        error.Problem.ShouldContain("reading Vault secret secret/data/sentinel: permission denied");
        error.Message.ShouldNotContain("hvs.wrong-token-123");
    }

    [Fact]
    public void A_missing_field_a_missing_path_and_a_wrong_login_are_each_explained()
    {
        var field = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", token: {_vault.Token} }}", "${vault:secret/data/sentinel#pg_pasword}"), Env()));
        field.Problem.ShouldContain("has no such field (fields: pg_password, ch_password)");
        field.Message.ShouldNotContain(Password);

        var path = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", token: {_vault.Token} }}", "${vault:secret/data/nothing#x}"), Env()));
        path.Problem.ShouldContain("reading Vault secret secret/data/nothing: no such path");

        var jwt = Path.Combine(_directory, "sa-token");
        File.WriteAllText(jwt, "not-a-known-jwt");
        var login = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\", kubernetes: {{ role: sentinel, jwtPath: \"{jwt}\" }} }}"), Env()));
        login.Problem.ShouldContain("logging in to Vault with Kubernetes auth (mount kubernetes, role sentinel): permission denied");
    }

    [Fact]
    public void Without_an_address_or_a_reachable_vault_the_error_says_what_to_set()
    {
        Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write("{ token: hvs.some-token }"), Env())).Key.ShouldBe("vault.address");
        Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write($"{{ address: \"{_vault.Address}\" }}"), Env())).Key.ShouldBe("vault.token");

        var unreachable = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write("{ address: \"http://127.0.0.1:1\", token: hvs.some-token, timeout: \"00:00:02\" }"), Env()));
        unreachable.Problem.ShouldContain("cannot be reached");
    }
}
