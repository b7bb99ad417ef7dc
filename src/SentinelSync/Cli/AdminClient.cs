using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SentinelSync.Cli;

/// <summary>
/// HTTP client of the admin verbs against one silo (<c>--server</c>), sending the bearer token when there is
/// one. Exit codes the verbs share: 0 success, 1 the operation failed, 2 bad request (or not found, or refused in the current state),
/// 3 the silo could not be reached, 4 the silo refused the token (or its absence).
/// </summary>
internal sealed class AdminClient : IDisposable
{
    public const int Failed = 1;

    public const int BadRequest = 2;

    public const int Unreachable = 3;

    public const int Unauthorized = 4;

    private readonly HttpClient _http;

    /// <summary>A PEM file of the CA that signed the silos' HTTPS certificate, when the system does not trust it.</summary>
    public const string CaFileVariable = "SENTINEL_CA_FILE";

    public AdminClient(Uri server, string? token = null)
    {
        _http = new HttpClient(Handler()) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Server => _http.BaseAddress!;

    /// <summary>The system's trust, or only the CA of <c>SENTINEL_CA_FILE</c> (chain and host name checked either way).</summary>
    private static HttpClientHandler Handler() =>
        Environment.GetEnvironmentVariable(CaFileVariable) is { Length: > 0 } caFile ? Configuration.PrivateCa.Handler(caFile) : new HttpClientHandler();

    public async Task<(int Status, JsonElement Body)> GetAsync(string path, CancellationToken cancellationToken) =>
        await SendAsync(() => _http.GetAsync(path, cancellationToken), cancellationToken);

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, object body, CancellationToken cancellationToken) =>
        await SendAsync(() => _http.PostAsJsonAsync(path, body, cancellationToken), cancellationToken);

    /// <summary>The exit code for an HTTP status of the admin API.</summary>
    public static int ExitCode(int status) => status switch
    {
        < 400 => 0,
        401 or 403 => Unauthorized,
        400 or 404 or 409 => BadRequest,
        _ => Failed,
    };

    private static async Task<(int Status, JsonElement Body)> SendAsync(Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        using var response = await send();
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }
        catch (JsonException)
        {
            // Not the admin API (a proxy's error page, a wrong port): keep the status, show the text.
            return ((int)response.StatusCode, JsonSerializer.SerializeToElement(new { error = "NotJson", message = $"HTTP {(int)response.StatusCode}: {text}" }));
        }
    }

    public void Dispose() => _http.Dispose();
}
