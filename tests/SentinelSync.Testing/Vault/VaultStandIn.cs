using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SentinelSync.Testing.Vault;

/// <summary>
/// A STAND-IN for HashiCorp Vault, not Vault: an HTTP listener on loopback that implements only what SentinelSync
/// calls, as Vault's API documentation specifies it: the KV version 2 read (<c>GET /v1/{mount}/data/{path}</c>,
/// answering <c>{"lease_duration", "data": {"data": {...}, "metadata": {...}}}</c>), checked against <c>X-Vault-Token</c>,
/// the Kubernetes auth login (<c>POST /v1/auth/kubernetes/login {role, jwt}</c>, answering <c>{"auth":
/// {"client_token", "lease_duration", "renewable"}}</c>), and the token's own endpoints, <c>GET
/// /v1/auth/token/lookup-self</c> (<c>{"data": {"ttl", "renewable"}}</c>) and <c>POST /v1/auth/token/renew-self</c>
/// (a renewable token gets its TTL again; <c>{"auth": {...}}</c>). Tokens carry a TTL (0: never expires, as a root
/// token) and an expired one is refused like a wrong one. Errors are Vault's shape, <c>{"errors": [...]}</c>.
/// No Vault server can run on the build machines; a real one is used when <c>SENTINEL_TEST_VAULT</c> is set.
/// </summary>
public sealed class VaultStandIn : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _leases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private int _renewals;
    private int _logins;

    private sealed record IssuedToken(TimeSpan Ttl, bool Renewable, DateTimeOffset? ExpiresAt);

    private VaultStandIn(int port, string token)
    {
        Address = $"http://127.0.0.1:{port}";
        Token = token;
        IssueToken(token, TimeSpan.Zero, renewable: false);
        _listener.Prefixes.Add(Address + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Address { get; }

    /// <summary>The token a read must bear (or one a Kubernetes login issued).</summary>
    public string Token { get; }

    /// <summary>Kubernetes logins: (role, service-account JWT) → the token Vault issues for it.</summary>
    public Dictionary<(string Role, string Jwt), string> KubernetesLogins { get; } = [];

    /// <summary>TTL of the tokens Kubernetes logins issue (Vault's default: an hour).</summary>
    public TimeSpan LoginTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether tokens Kubernetes logins issue can be renewed.</summary>
    public bool LoginRenewable { get; set; } = true;

    /// <summary>Successful <c>renew-self</c> calls so far.</summary>
    public int Renewals => Volatile.Read(ref _renewals);

    /// <summary>Successful Kubernetes logins so far.</summary>
    public int Logins => Volatile.Read(ref _logins);

    /// <summary>Makes <paramref name="token"/> valid for <paramref name="ttl"/> from now (zero: forever).</summary>
    public void IssueToken(string token, TimeSpan ttl, bool renewable) =>
        _tokens[token] = new IssuedToken(ttl, renewable, ttl > TimeSpan.Zero ? DateTimeOffset.UtcNow + ttl : null);

    /// <summary>Whether <paramref name="token"/> was issued and has not expired.</summary>
    public bool IsValid(string? token) =>
        token is not null && _tokens.TryGetValue(token, out var issued) && (issued.ExpiresAt is null || issued.ExpiresAt > DateTimeOffset.UtcNow);

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

    /// <summary>Stores fields that are read with a lease (<c>lease_duration</c>), as dynamic secrets or KV version 1 are.</summary>
    public void PutLeased(string path, Dictionary<string, string> fields, TimeSpan lease)
    {
        _secrets[path] = fields;
        _leases[path] = lease;
    }

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
            if (!KubernetesLogins.TryGetValue((role, jwt), out var issued))
            {
                return (403, Errors("permission denied"));
            }

            IssueToken(issued, LoginTtl, LoginRenewable);
            Interlocked.Increment(ref _logins);
            return (200, Auth(issued));
        }

        var token = request.Headers["X-Vault-Token"];
        if (!IsValid(token))
        {
            return (403, Errors("permission denied"));
        }

        if (request.HttpMethod == "GET" && path == "auth/token/lookup-self")
        {
            var self = _tokens[token!];
            var ttl = self.ExpiresAt is { } expires ? (long)Math.Max(1, Math.Round((expires - DateTimeOffset.UtcNow).TotalSeconds)) : 0;
            return (200, new { data = new { ttl, renewable = self.Renewable, policies = new[] { "sentinel" } } });
        }

        if (request.HttpMethod == "POST" && path == "auth/token/renew-self")
        {
            var self = _tokens[token!];
            if (!self.Renewable)
            {
                return (400, Errors("lease is not renewable"));
            }

            IssueToken(token!, self.Ttl, renewable: true);
            Interlocked.Increment(ref _renewals);
            return (200, Auth(token!));
        }

        if (request.HttpMethod != "GET")
        {
            return (405, Errors());
        }

        _reads.AddOrUpdate(path, 1, (_, n) => n + 1);
        return _secrets.TryGetValue(path, out var fields)
            ? (200, new { request_id = Guid.NewGuid(), lease_duration = (long)_leases.GetValueOrDefault(path).TotalSeconds, renewable = false, data = new { data = fields, metadata = new { version = 1, destroyed = false } } })
            : (404, Errors());
    }

    private object Auth(string token)
    {
        var issued = _tokens[token];
        return new { auth = new { client_token = token, lease_duration = (long)issued.Ttl.TotalSeconds, renewable = issued.Renewable, policies = new[] { "sentinel" } } };
    }

    private static object Errors(params string[] errors) => new { errors };

    public async ValueTask DisposeAsync()
    {
        // Close alone: on Linux, Stop then Close unregisters the prefix twice and the second time binds the port
        // again to do it, failing with "Address already in use" when another test has taken the port meanwhile.
        _listener.Close();
        await _serving;
    }
}
