using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SentinelSync.Testing.Vault;

/// <summary>
/// A STAND-IN for HashiCorp Vault, not Vault: an HTTP listener on loopback that implements only what SentinelSync
/// calls, as Vault's API documentation specifies it: the KV version 2 read (<c>GET /v1/{mount}/data/{path}</c>,
/// answering <c>{"data": {"data": {...}, "metadata": {...}}}</c>), checked against <c>X-Vault-Token</c>, and the
/// Kubernetes auth login (<c>POST /v1/auth/kubernetes/login {role, jwt}</c>, answering <c>{"auth":
/// {"client_token", "lease_duration", "renewable"}}</c>). Errors are Vault's shape, <c>{"errors": [...]}</c>.
/// No Vault server can run on the build machines; a real one is used when <c>SENTINEL_TEST_VAULT</c> is set.
/// </summary>
public sealed class VaultStandIn : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

    private VaultStandIn(int port, string token)
    {
        Address = $"http://127.0.0.1:{port}";
        Token = token;
        _listener.Prefixes.Add(Address + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Address { get; }

    /// <summary>The token a read must bear (or one a Kubernetes login issued).</summary>
    public string Token { get; }

    /// <summary>Kubernetes logins: (role, service-account JWT) → the token Vault issues for it.</summary>
    public Dictionary<(string Role, string Jwt), string> KubernetesLogins { get; } = [];

    public static VaultStandIn Start(string token = "hvs.stand-in-root-token")
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new VaultStandIn(SentinelProcess.FreePortPair(), token);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The free port was taken meanwhile: another one.
            }
        }
    }

    /// <summary>Stores fields at a KV version 2 API path, e.g. <c>secret/data/sentinel</c>.</summary>
    public void Put(string path, Dictionary<string, string> fields) => _secrets[path] = fields;

    /// <summary>How many times <paramref name="path"/> was read.</summary>
    public int Reads(string path) => _reads.GetValueOrDefault(path);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var (status, body) = Answer(context.Request);
            var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body));
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private (int, object) Answer(HttpListenerRequest request)
    {
        var path = request.Url!.AbsolutePath.TrimStart('/');
        if (!path.StartsWith("v1/", StringComparison.Ordinal))
        {
            return (404, Errors());
        }

        path = path["v1/".Length..];
        if (request.HttpMethod == "POST" && path == "auth/kubernetes/login")
        {
            using var login = JsonDocument.Parse(new StreamReader(request.InputStream).ReadToEnd());
            var role = login.RootElement.GetProperty("role").GetString()!;
            var jwt = login.RootElement.GetProperty("jwt").GetString()!;
            return KubernetesLogins.TryGetValue((role, jwt), out var issued)
                ? (200, new { auth = new { client_token = issued, lease_duration = 3600, renewable = true, policies = new[] { "sentinel" } } })
                : (403, Errors("permission denied"));
        }

        var token = request.Headers["X-Vault-Token"];
        if (request.HttpMethod != "GET" || (token != Token && !KubernetesLogins.ContainsValue(token ?? "")))
        {
            return (403, Errors("permission denied"));
        }

        _reads.AddOrUpdate(path, 1, (_, n) => n + 1);
        return _secrets.TryGetValue(path, out var fields)
            ? (200, new { request_id = Guid.NewGuid(), lease_duration = 0, renewable = false, data = new { data = fields, metadata = new { version = 1, destroyed = false } } })
            : (404, Errors());
    }

    private static object Errors(params string[] errors) => new { errors };

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
