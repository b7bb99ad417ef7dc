using SentinelSync.Testing;
using SentinelSync.Testing.Vault;

namespace SentinelSync.IntegrationTests.Configuration;

/// <summary>
/// The real <c>sentinel run</c> keeps its Vault session alive against <see cref="VaultStandIn"/> (a labelled stand-in:
/// no Vault server runs here): a token of a 15 s TTL is renewed while the pipeline runs, and the token never shows in
/// the log.
/// </summary>
public sealed class VaultSessionProcessTests
{
    [Fact]
    public async Task A_running_silo_renews_its_Vault_token_before_it_expires()
    {
        await using var vault = VaultStandIn.Start();
        const string token = "hvs.process-renewal-3s";
        vault.Put("secret/data/sentinel", new() { ["dst_password"] = "dst-from-vault-8c1e" });
        await using var scenario = await PipelineScenario.CreateAsync();
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        config = config.Replace($"\"{scenario.Destination.ConnectionString}\"", $"\"{scenario.Destination.ConnectionString};Password=${{vault:secret/data/sentinel#dst_password}}\"", StringComparison.Ordinal);
        config.ShouldContain("${vault:secret/data/sentinel#dst_password}");
        await File.WriteAllTextAsync(scenario.ConfigFile, config + $"\nvault: {{ address: \"{vault.Address}\", token: {token} }}\n");
        await scenario.Source.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'a')");

        // Issued just before the start (on a busy machine the process takes seconds to read its configuration), for
        // 15 s: two renewals (at two thirds of the TTL each) take it past its first expiry.
        vault.IssueToken(token, TimeSpan.FromSeconds(15), renewable: true);
        await using var sentinel = await scenario.StartSentinelAsync();

        await Eventually.WaitAsync(() => Task.FromResult(vault.Renewals >= 2), TimeSpan.FromSeconds(90), () => $"two renewals by the silo, saw {vault.Renewals}\n{sentinel.LogTail(3000)}");
        vault.IsValid(token).ShouldBeTrue();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        await sentinel.WaitForLogAsync("Vault token renewed");
        sentinel.Log.ShouldNotContain(token);
        sentinel.Log.ShouldNotContain("dst-from-vault-8c1e");
    }
}
