using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary>
/// <c>silo.tls</c>: the admin API, health and metrics over HTTPS with the configured certificate (the test CA's
/// certificate for 127.0.0.1, made by eng/setup.sh), which a client trusting that CA accepts and one trusting
/// another CA refuses; the admin verbs trust it through <c>SENTINEL_CA_FILE</c>.
/// </summary>
public sealed class AdminHttpsTests
{
    [Fact]
    public async Task The_admin_api_is_served_over_https_with_the_configured_certificate_and_verbs_trust_it_through_SENTINEL_CA_FILE()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(Workload.Schema);
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace(
            "silo: { name: test-silo,",
            $"silo: {{ name: test-silo, tls: {{ certificate: {TestServers.TlsDirectory}/server.crt, key: {TestServers.TlsDirectory}/server.key }},",
            StringComparison.Ordinal));
        await using var sentinel = await SentinelProcess.StartAsync(scenario.ConfigFile, scenario.HttpPort, https: true);
        var https = new Uri($"https://127.0.0.1:{scenario.HttpPort}/");

        using (var trusting = Client($"{TestServers.TlsDirectory}/ca.crt"))
        {
            (await trusting.GetStringAsync(new Uri(https, "healthz"))).ShouldBe("ok");
            (await trusting.GetStringAsync(new Uri(https, "api/pipelines"))).ShouldContain("\"name\":\"p\"");
        }

        using (var other = Client($"{TestServers.TlsDirectory}/other-ca.crt"))
        {
            await Should.ThrowAsync<HttpRequestException>(() => other.GetStringAsync(new Uri(https, "healthz")));
        }

        using (var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            await Should.ThrowAsync<HttpRequestException>(() => plain.GetStringAsync(new Uri($"http://127.0.0.1:{scenario.HttpPort}/healthz")));
        }

        var status = await SentinelProcess.RunVerbAsync(new Dictionary<string, string> { ["SENTINEL_CA_FILE"] = $"{TestServers.TlsDirectory}/ca.crt" }, "pipelines", "--json", "--server", https.ToString());
        status.ExitCode.ShouldBe(0, status.Output);
        status.Output.ShouldContain("\"name\": \"p\"");
        var untrusted = await SentinelProcess.RunVerbAsync(new Dictionary<string, string> { ["SENTINEL_CA_FILE"] = $"{TestServers.TlsDirectory}/other-ca.crt" }, "pipelines", "--server", https.ToString());
        untrusted.ExitCode.ShouldBe(3, untrusted.Output);
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    /// <summary>A client that trusts only <paramref name="caFile"/> (chain and host name checked).</summary>
    private static HttpClient Client(string caFile)
    {
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(caFile);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.CustomTrustStore.AddRange(ca);
                return chain.Build(certificate);
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }
}
