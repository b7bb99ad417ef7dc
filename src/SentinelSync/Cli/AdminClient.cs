using System.Net.Http.Json;
using System.Text.Json;

namespace SentinelSync.Cli;

/// <summary>
/// HTTP client of the admin verbs against one silo (<c>--server</c>). Exit codes the verbs share: 0 success,
/// 1 the operation failed, 2 bad request, 3 the silo could not be reached.
/// </summary>
internal sealed class AdminClient(Uri server) : IDisposable
{
    public const int Unreachable = 3;

    private readonly HttpClient _http = new() { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };

    public Uri Server => server;

    public async Task<(int Status, JsonElement Body)> GetAsync(string path, CancellationToken cancellationToken) =>
        await SendAsync(() => _http.GetAsync(path, cancellationToken), cancellationToken);

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, object body, CancellationToken cancellationToken) =>
        await SendAsync(() => _http.PostAsJsonAsync(path, body, cancellationToken), cancellationToken);

    private static async Task<(int Status, JsonElement Body)> SendAsync(Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        using var response = await send();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return ((int)response.StatusCode, body);
    }

    public void Dispose() => _http.Dispose();
}
