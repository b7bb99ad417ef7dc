using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary>
/// Roles and the audit trail against the real <c>sentinel run</c>: a viewer token reads but cannot change
/// anything (403 with the reason), operator tokens can, and every state-changing call, allowed or refused, lands in
/// <c>sentinel.audit_log</c> with the holder's id, never a token, and with secret arguments masked.
/// </summary>
public sealed class AdminRolesTests(ITestOutputHelper output)
{
    private const string ViewerToken = "grafana-view-3c1d9e77a0";

    private const string OperatorToken = "ops-alice-9f2e6b41c8";

    private const string SmuggledSecret = "smuggled-Secret-77ab";

    [Fact]
    public async Task A_viewer_reads_but_is_refused_changes_operators_change_and_the_audit_trail_names_each_caller_without_secrets()
    {
        await using var secured = await SecuredScenario.CreateAsync();
        var scenario = secured.Scenario;
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace(
            "silo: { name: test-silo,",
            $"silo: {{ name: test-silo, tokens: [ {{ id: grafana, token: {ViewerToken} }}, {{ id: ops-alice, token: {OperatorToken}, role: operator }} ],",
            StringComparison.Ordinal));
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 100);
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
        using var http = new HttpClient { BaseAddress = scenario.Server, Timeout = TimeSpan.FromSeconds(30) };

        // The viewer reads everything a dashboard needs.
        foreach (var path in new[] { "api/pipelines", "api/cluster", "api/grains", "api/dlq", "api/audit" })
        {
            (await SendAsync(http, HttpMethod.Get, path, ViewerToken)).Status.ShouldBe(200, path);
        }

        // ... and changes nothing: 403 naming its id and the role needed, and the pipeline keeps streaming.
        var refused = await SendAsync(http, HttpMethod.Post, "api/pipelines/p/pause", ViewerToken);
        refused.Status.ShouldBe(403, refused.Body);
        refused.Body.ShouldContain("'grafana' has the role viewer");
        refused.Body.ShouldContain("needs an operator token");
        (await SendAsync(http, HttpMethod.Post, "api/grains/Source/p/PauseAsync", ViewerToken)).Status.ShouldBe(403);
        var viewerVerb = await SentinelProcess.RunVerbAsync("pause", "p", "--server", scenario.Server.ToString(), "--token", ViewerToken);
        viewerVerb.ExitCode.ShouldBe(4, viewerVerb.Output);
        viewerVerb.Output.ShouldContain("needs an operator token");
        await scenario.Source.ExecuteAsync("UPDATE items SET name = 'after the refused pause' WHERE id = 1");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), ("items", "id"));

        // Operators: a silo.tokens entry and the legacy silo.token.
        (await SendAsync(http, HttpMethod.Post, "api/pipelines/p/pause", OperatorToken)).Status.ShouldBe(200);
        (await SendAsync(http, HttpMethod.Post, "api/pipelines/p/resume", SecuredScenario.Token)).Status.ShouldBe(200);
        var discard = await SendAsync(http, HttpMethod.Post, "api/dlq/discard", OperatorToken, $$"""{ "ids": [], "note": "cleanup", "vaultToken": "{{SmuggledSecret}}" }""");
        discard.Status.ShouldBe(200, discard.Body);
        (await SendAsync(http, HttpMethod.Post, "api/pipelines/p/pause", "not-a-token")).Status.ShouldBe(401);

        // The trail, newest first, through the API and the verb (a viewer may read it).
        var entries = JsonDocument.Parse((await SendAsync(http, HttpMethod.Get, "api/audit", ViewerToken)).Body).RootElement;
        output.WriteLine(entries.ToString());
        var trail = entries.EnumerateArray().Select(e => $"{e.GetProperty("tokenId").GetString()} {e.GetProperty("role").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("status").GetInt32()}").ToList();
        trail.ShouldBe(
        [
            "(no valid token) - POST /api/pipelines/p/pause 401",
            "ops-alice operator POST /api/dlq/discard 200",
            "silo.token operator POST /api/pipelines/p/resume 200",
            "ops-alice operator POST /api/pipelines/p/pause 200",
            "grafana viewer POST /api/pipelines/p/pause 403",
            "grafana viewer POST /api/grains/Source/p/PauseAsync 403",
            "grafana viewer POST /api/pipelines/p/pause 403",
        ]);
        entries[0].GetProperty("result").GetString().ShouldStartWith("refused");
        entries[0].GetProperty("silo").GetString().ShouldBe("test-silo");
        var body = entries[1].GetProperty("arguments").GetProperty("body");
        body.GetProperty("vaultToken").GetString().ShouldBe("********");
        body.GetProperty("note").GetString().ShouldBe("cleanup");
        entries[1].GetProperty("result").GetString().ShouldBe("ok");

        var verb = await SentinelProcess.RunVerbAsync("audit", "--json", "--since", "1h", "--server", scenario.Server.ToString(), "--token", ViewerToken);
        verb.ExitCode.ShouldBe(0, verb.Output);
        JsonDocument.Parse(verb.Output).RootElement.GetArrayLength().ShouldBe(trail.Count);
        var table = await SentinelProcess.RunVerbAsync("audit", "--server", scenario.Server.ToString(), "--token", OperatorToken);
        table.ExitCode.ShouldBe(0, table.Output);
        table.Output.ShouldContain("ops-alice");

        // No token, and no smuggled secret, anywhere in the stored trail or the log.
        var stored = await scenario.Control.ScalarAsync<string>("SELECT string_agg(a::text, E'\\n') FROM sentinel.audit_log a");
        foreach (var secret in new[] { ViewerToken, OperatorToken, SecuredScenario.Token, SmuggledSecret, "not-a-token" })
        {
            stored.ShouldNotContain(secret);
            sentinel.Log.ShouldNotContain(secret);
        }

        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    private static async Task<(int Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, string token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
