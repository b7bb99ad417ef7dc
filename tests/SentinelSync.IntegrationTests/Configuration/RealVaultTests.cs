using System.Net.Http.Json;
using SentinelSync.Configuration;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Configuration;

/// <summary>
/// The same references against a real Vault (dev server: <c>vault server -dev</c>, KV v2 at <c>secret/</c>):
/// <c>SENTINEL_TEST_VAULT=http://127.0.0.1:8200</c> and <c>SENTINEL_TEST_VAULT_TOKEN</c> (the root token).
/// </summary>
public sealed class RealVaultTests
{
    [EnvironmentFact("SENTINEL_TEST_VAULT", "Vault server")]
    public async Task A_secret_written_to_a_real_Vault_is_resolved_into_the_configuration()
    {
        var address = Environment.GetEnvironmentVariable("SENTINEL_TEST_VAULT")!;
        var token = Environment.GetEnvironmentVariable("SENTINEL_TEST_VAULT_TOKEN") ?? throw new InvalidOperationException("SENTINEL_TEST_VAULT_TOKEN must hold a token that may write secret/data/sentinel-test");
        var password = "real-vault-" + Guid.NewGuid().ToString("N")[..8];
        using (var http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") })
        {
            http.DefaultRequestHeaders.Add("X-Vault-Token", token);
            (await http.PostAsJsonAsync("v1/secret/data/sentinel-test", new { data = new { pg_password = password } })).EnsureSuccessStatusCode();
        }

        var file = Path.Combine(Directory.CreateTempSubdirectory("sentinel-real-vault-").FullName, "sentinel.yaml");
        await File.WriteAllTextAsync(file, $$"""
            controlDb: "Host=127.0.0.1;Database=sentinel;Username=postgres;Password=${vault:secret/data/sentinel-test#pg_password}"
            silo: { name: s1 }
            vault: { address: "{{address}}" }
            """);

        var config = SentinelConfigLoader.Load(file, new Dictionary<string, string> { ["VAULT_TOKEN"] = token });

        config.ControlDb.ShouldEndWith($"Password={password}");
    }
}
