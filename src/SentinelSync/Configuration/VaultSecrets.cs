using System.Collections;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SentinelSync.Configuration;

/// <summary>
/// Resolves <c>${vault:PATH#FIELD}</c> in configuration values through Vault's HTTP API, once, when the
/// configuration loads: <c>GET /v1/PATH</c> with the token, and the field from <c>data.data</c> (KV version 2,
/// e.g. <c>secret/data/sentinel</c>) or <c>data</c> (KV version 1). Each path is read once however many fields
/// are used from it. The token comes from <c>vault.token</c> or <c>VAULT_TOKEN</c>, or from a Kubernetes login
/// with the pod's service-account token. Every value read, and the login's token, is a secret of the silo:
/// masked wherever it could be shown. Errors name the key, the path and what Vault answered, never a secret.
/// </summary>
internal sealed partial class VaultSecrets : IDisposable
{
    [GeneratedRegex(@"\$\{vault:([^}#]+)#([^}]+)\}")]
    private static partial Regex Reference();

    private readonly string _file;
    private readonly VaultConfig _config;
    private readonly HttpClient _http;
    private readonly ICollection<string> _resolved;
    private readonly Dictionary<string, JsonElement> _paths = new(StringComparer.Ordinal);
    private string? _token;

    /// <summary>Fields used per path: value read and the configuration keys it went into (for <see cref="VaultRenewal"/>).</summary>
    private readonly Dictionary<string, Dictionary<string, UsedField>> _used = new(StringComparer.Ordinal);

    /// <summary>Paths whose read came with a lease (<c>lease_duration</c> above 0): read at, for how long.</summary>
    private readonly Dictionary<string, (DateTimeOffset ReadAt, TimeSpan Duration)> _leases = new(StringComparer.Ordinal);

    /// <summary>What Vault said of the token when it issued or renewed it (null: not known yet, ask lookup-self).</summary>
    private TokenLease? _tokenLease;

    private VaultSecrets(string file, VaultConfig config, string address, ICollection<string> resolved)
    {
        _file = file;
        _config = config;
        _resolved = resolved;
        HttpClientHandler handler;
        try
        {
            handler = config.CaFile is { } caFile ? PrivateCa.Handler(caFile) : new HttpClientHandler();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ConfigurationException(file, "vault.caFile", $"{config.CaFile} cannot be read as PEM certificates: {e.Message}");
        }

        _http = new HttpClient(handler) { BaseAddress = new Uri(address.TrimEnd('/') + "/"), Timeout = config.Timeout };
        if (config.Namespace is { Length: > 0 } ns)
        {
            _http.DefaultRequestHeaders.Add("X-Vault-Namespace", ns);
        }
    }

    public static bool IsUsedBy(IEnumerable<string?> values) => values.Any(v => v is not null && Reference().IsMatch(v));

    /// <summary>A resolver for <paramref name="config"/>; <c>VAULT_ADDR</c> and <c>VAULT_TOKEN</c> fill what the file leaves out.</summary>
    public static VaultSecrets Create(string file, VaultConfig config, IDictionary environment, ICollection<string> resolved)
    {
        var address = config.Address ?? environment["VAULT_ADDR"] as string;
        if (string.IsNullOrWhiteSpace(address) || !Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ConfigurationException(file, "vault.address", string.IsNullOrWhiteSpace(address)
                ? "is required when a value refers to ${vault:...} (or set VAULT_ADDR), e.g. https://vault.internal:8200"
                : $"'{address}' is not an http(s) URL");
        }

        config.Token ??= environment["VAULT_TOKEN"] as string;
        if (string.IsNullOrEmpty(config.Token) && config.Kubernetes?.Role is null)
        {
            throw new ConfigurationException(file, "vault.token", "is required to read ${vault:...} references (or set VAULT_TOKEN, or vault.kubernetes.role to log in with the pod's service account)");
        }

        return new VaultSecrets(file, config, address, resolved);
    }

    /// <summary><paramref name="value"/> with its Vault references replaced by the secrets they name.</summary>
    public string? Resolve(string key, string? value) =>
        value is null ? null : Reference().Replace(value, match =>
        {
            var path = match.Groups[1].Value.Trim('/');
            var field = match.Groups[2].Value;
            var data = Read(key, path);
            if (!data.TryGetProperty(field, out var secret) || secret.ValueKind == JsonValueKind.Null)
            {
                throw Problem(key, $"refers to field '{field}' of Vault secret {path}, which has no such field (fields: {string.Join(", ", data.EnumerateObject().Select(p => p.Name))})");
            }

            var text = secret.ValueKind == JsonValueKind.String ? secret.GetString()! : secret.GetRawText();
            _resolved.Add(text);
            Use(path, field, key, text);
            return text;
        });

    private JsonElement Read(string key, string path)
    {
        if (_paths.TryGetValue(path, out var cached))
        {
            return cached;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/" + path);
        request.Headers.Add("X-Vault-Token", Token(key));
        var body = Send(key, request, $"reading Vault secret {path}");
        var data = body.GetProperty("data");
        // KV version 2 wraps the fields in data.data beside data.metadata; version 1 has them in data.
        var fields = data.TryGetProperty("data", out var inner) && data.TryGetProperty("metadata", out _) ? inner : data;
        _paths[path] = fields.Clone();
        NoteLease(path, body);
        return _paths[path];
    }

    private string Token(string key)
    {
        if (_token is not null)
        {
            return _token;
        }

        if (!string.IsNullOrEmpty(_config.Token))
        {
            return _token = _config.Token;
        }

        var kubernetes = _config.Kubernetes!;
        string jwt;
        try
        {
            jwt = File.ReadAllText(kubernetes.JwtPath).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(_file, "vault.kubernetes.jwtPath", $"the service-account token {kubernetes.JwtPath} cannot be read: {e.Message}");
        }

        using var login = new HttpRequestMessage(HttpMethod.Post, $"v1/auth/{kubernetes.Mount.Trim('/')}/login") { Content = JsonContent.Create(new { role = kubernetes.Role, jwt }) };
        var body = Send(key, login, $"logging in to Vault with Kubernetes auth (mount {kubernetes.Mount}, role {kubernetes.Role})");
        _token = body.GetProperty("auth").GetProperty("client_token").GetString()!;
        _tokenLease = TokenLease.OfAuth(body.GetProperty("auth"), DateTimeOffset.UtcNow);
        _resolved.Add(_token);
        return _token;
    }

    private JsonElement Send(string key, HttpRequestMessage request, string doing)
    {
        HttpResponseMessage response;
        try
        {
            response = _http.Send(request);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw Problem(key, $"{doing}: Vault at {_http.BaseAddress} cannot be reached: {e.Message}");
        }

        using (response)
        {
            var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw Problem(key, $"{doing}: {Reason(response.StatusCode)}{Errors(text)}");
            }

            try
            {
                return JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw Problem(key, $"{doing}: Vault answered something that is not JSON");
            }
        }
    }

    private static string Reason(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Forbidden => "permission denied (a wrong or expired token, or a policy without read on this path)",
        HttpStatusCode.NotFound => "no such path",
        _ => $"HTTP {(int)status}",
    };

    /// <summary>Vault's own error list (<c>{"errors": [...]}</c>), which never holds a secret.</summary>
    private static string Errors(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0
                ? ": " + string.Join("; ", errors.EnumerateArray().Select(e => e.GetString()))
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private ConfigurationException Problem(string key, string problem) => new(_file, ConfigurationKeys.Display(key), problem);


    public void Dispose() => _http.Dispose();
}
