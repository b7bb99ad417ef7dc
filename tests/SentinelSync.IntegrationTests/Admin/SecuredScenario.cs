using System.Net.Http.Headers;
using System.Text.Json;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary>
/// A <see cref="PipelineScenario"/> whose silo has an admin token and whose connection strings each carry a
/// password of their own (the local servers trust loopback, so it is never checked, but it is there to leak),
/// with a ClickHouse sink when asked (its password is checked: the server's default user has none, so that
/// sink fails to authenticate), plus an HTTP client that records every response body for the
/// no-secret-anywhere assertions.
/// </summary>
internal sealed class SecuredScenario : IAsyncDisposable
{
    public const string Token = "adm1n-t0ken-7f3a9c";

    public const string Password = "pw-S3cret-9d41e";

    public const string DestinationPassword = "dst-Pw-5b2c81";

    public const string ControlPassword = "ctl-Pw-e07d3a";

    public const string ClickHousePassword = "ch-Pw-4f9a66";

    /// <summary>Every secret of the configuration: none may appear in any log or output.</summary>
    public static readonly IReadOnlyList<string> Secrets = [Token, Password, DestinationPassword, ControlPassword, ClickHousePassword];

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<string> _outputs = [];

    private SecuredScenario(PipelineScenario scenario) => Scenario = scenario;

    public PipelineScenario Scenario { get; }

    /// <summary>Every response body and CLI output seen so far.</summary>
    public IReadOnlyList<string> Outputs
    {
        get
        {
            lock (_outputs)
            {
                return [.. _outputs];
            }
        }
    }

    public static async Task<SecuredScenario> CreateAsync(
        PipelineSinks sinks = PipelineSinks.Postgres,
        [System.Runtime.CompilerServices.CallerMemberName] string name = "",
        [System.Runtime.CompilerServices.CallerFilePath] string file = "")
    {
        var scenario = await PipelineScenario.CreateAsync(sinks: sinks, name: name, callerFile: file);
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        foreach (var (connection, password) in new[] { (scenario.Source.ConnectionString, Password), (scenario.Destination.ConnectionString, DestinationPassword), (scenario.Control.ConnectionString, ControlPassword) })
        {
            config = config.Replace($"\"{connection}\"", $"\"{connection};Password={password}\"", StringComparison.Ordinal);
        }

        if (scenario.ClickHouse is { } clickHouse)
        {
            config = config.Replace($"database: {clickHouse.Name} }}", $"database: {clickHouse.Name}, password: {ClickHousePassword} }}", StringComparison.Ordinal);
        }

        config = config.Replace("silo: { name: test-silo,", $"silo: {{ name: test-silo, token: {Token},", StringComparison.Ordinal);
        foreach (var secret in Secrets.Where(s => s != ClickHousePassword || scenario.ClickHouse is not null))
        {
            config.ShouldContain(secret);
        }

        await File.WriteAllTextAsync(scenario.ConfigFile, config);
        return new SecuredScenario(scenario);
    }

    public async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, string? token = Token)
    {
        using var request = new HttpRequestMessage(method, new Uri(Scenario.Server, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Record(body);
        return ((int)response.StatusCode, body);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, path);
        status.ShouldBe(200, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Runs an admin verb of the real executable against this silo, with the token unless told otherwise.</summary>
    public async Task<(int ExitCode, string Output)> VerbAsync(bool withToken, params string[] arguments)
    {
        string[] all = [.. arguments, "--server", Scenario.Server.ToString(), .. withToken ? new[] { "--token", Token } : []];
        var result = await SentinelProcess.RunVerbAsync(all);
        Record(result.Output);
        return result;
    }

    /// <summary>Asserts that none of <see cref="Secrets"/> appears in <paramref name="texts"/> or in anything recorded.</summary>
    public void ShouldShowNoSecret(IEnumerable<string> texts)
    {
        foreach (var text in texts.Concat(Outputs))
        {
            foreach (var secret in Secrets)
            {
                text.ShouldNotContain(secret, Case.Sensitive, $"a secret in: {text[..Math.Min(text.Length, 2000)]}");
            }
        }
    }

    public void Record(string output)
    {
        lock (_outputs)
        {
            _outputs.Add(output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Scenario.DisposeAsync();
    }
}
