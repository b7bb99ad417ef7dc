using System.Net.Http.Json;
using System.Text.Json;

namespace SentinelSync.Configuration;

/// <summary>A field of a Vault secret in use: the value the silo uses (read at start), the last value read, and the keys it went into.</summary>
internal sealed class UsedField(string value)
{
    public string InUse { get; } = value;

    public string LastRead { get; set; } = value;

    public SortedSet<string> Keys { get; } = new(StringComparer.Ordinal);
}

/// <summary>The token's lease as Vault last stated it; a zero TTL never expires (a root token).</summary>
internal sealed record TokenLease(DateTimeOffset IssuedAt, TimeSpan Ttl, bool Renewable)
{
    public DateTimeOffset? ExpiresAt => Ttl > TimeSpan.Zero ? IssuedAt + Ttl : null;

    /// <summary>Renewed at two thirds of its TTL, as Vault's own agent does, leaving a third for retries.</summary>
    public DateTimeOffset? RenewAt => Ttl > TimeSpan.Zero ? IssuedAt + (Ttl * 2 / 3) : null;

    public static TokenLease OfAuth(JsonElement auth, DateTimeOffset now) =>
        new(now, TimeSpan.FromSeconds(auth.GetProperty("lease_duration").GetInt64()), auth.TryGetProperty("renewable", out var r) && r.ValueKind == JsonValueKind.True);
}

/// <summary>A token renewal or secret re-read that failed; the message names what and why, never a secret.</summary>
internal sealed class VaultRenewalException(string message) : Exception(message);

/// <summary>
/// What <see cref="VaultRenewal"/> needs after the configuration loaded: the token's lease (renew-self, or a new
/// Kubernetes login) and the leased paths (read again before their lease ends). Called from one loop only.
/// </summary>
internal sealed partial class VaultSecrets
{
    /// <summary>Logs in with Kubernetes auth (no <c>vault.token</c>): the way to a new token when renewal is not possible.</summary>
    public bool UsesKubernetes => string.IsNullOrEmpty(_config.Token);

    public TokenLease? TokenLease => _tokenLease;

    /// <summary>Paths read with a lease, and when each is due again: two thirds into its lease.</summary>
    public IEnumerable<(string Path, DateTimeOffset Due)> LeasedPaths =>
        _leases.Select(l => (l.Key, l.Value.ReadAt + (l.Value.Duration * 2 / 3)));

    private void Use(string path, string field, string key, string value)
    {
        if (!_used.TryGetValue(path, out var fields))
        {
            _used[path] = fields = new Dictionary<string, UsedField>(StringComparer.Ordinal);
        }

        if (!fields.TryGetValue(field, out var used))
        {
            fields[field] = used = new UsedField(value);
        }

        used.Keys.Add(ConfigurationKeys.Display(key));
    }

    private void NoteLease(string path, JsonElement body)
    {
        var seconds = body.TryGetProperty("lease_duration", out var lease) && lease.ValueKind == JsonValueKind.Number ? lease.GetInt64() : 0;
        if (seconds > 0)
        {
            _leases[path] = (DateTimeOffset.UtcNow, TimeSpan.FromSeconds(seconds));
        }
        else
        {
            _leases.Remove(path);
        }
    }

    /// <summary>
    /// Right after the configuration's secrets were read: what Vault says of a configured token's TTL, so that renewal
    /// is timed from now and not from when the silo has finished starting (which can take longer than a short TTL). A
    /// refusal (a policy without lookup-self) is left to <see cref="LookUpTokenAsync"/>, which retries and logs it.
    /// </summary>
    public void LearnTokenLease()
    {
        if (_tokenLease is not null || _token is null)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        using var request = Request(HttpMethod.Get, "v1/auth/token/lookup-self");
        try
        {
            using var response = _http.Send(request);
            if (response.IsSuccessStatusCode)
            {
                using var document = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
                _tokenLease = LeaseOfLookup(document.RootElement.GetProperty("data"), now);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not fatal: the silo's renewal loop asks again and says why it cannot.
        }
    }

    private static TokenLease LeaseOfLookup(JsonElement data, DateTimeOffset now) =>
        new(now, TimeSpan.FromSeconds(data.GetProperty("ttl").GetInt64()), data.TryGetProperty("renewable", out var r) && r.ValueKind == JsonValueKind.True);

    /// <summary>Asks Vault about a configured token (<c>GET /v1/auth/token/lookup-self</c>) when its lease is not known yet.</summary>
    public async Task LookUpTokenAsync(CancellationToken cancellationToken)
    {
        if (_tokenLease is not null || _token is null)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        using var request = Request(HttpMethod.Get, "v1/auth/token/lookup-self");
        _tokenLease = LeaseOfLookup((await SendAsync(request, "looking up the Vault token", cancellationToken)).GetProperty("data"), now);
    }

    /// <summary>
    /// Renews the token (<c>POST /v1/auth/token/renew-self</c>) when Vault says it is renewable; with Kubernetes auth, a
    /// token that is not renewable, whose renewal is refused or that reached its maximum TTL is replaced by a new
    /// login. Returns what was done.
    /// </summary>
    public async Task<string> RenewTokenAsync(CancellationToken cancellationToken)
    {
        var lease = _tokenLease ?? throw new InvalidOperationException("The token's lease is not known.");
        VaultRenewalException? refused = null;
        if (lease.Renewable)
        {
            try
            {
                var now = DateTimeOffset.UtcNow;
                using var request = Request(HttpMethod.Post, "v1/auth/token/renew-self");
                request.Content = JsonContent.Create(new { increment = $"{(long)lease.Ttl.TotalSeconds}s" });
                var renewed = TokenLease.OfAuth((await SendAsync(request, "renewing the Vault token", cancellationToken)).GetProperty("auth"), now);
                _tokenLease = renewed;

                // A TTL cut short is the token's maximum TTL drawing near: a Kubernetes login gives a fresh one.
                if (!UsesKubernetes || renewed.Ttl * 2 >= lease.Ttl)
                {
                    return $"renewed for {renewed.Ttl}";
                }
            }
            catch (VaultRenewalException e) when (UsesKubernetes)
            {
                refused = e;
            }
        }

        if (!UsesKubernetes)
        {
            throw new VaultRenewalException($"the Vault token is not renewable; it expires at {lease.ExpiresAt:u}, after which no secret can be read again");
        }

        await LoginAsync(cancellationToken);
        return refused is null ? $"logged in again (Kubernetes auth), new token for {_tokenLease!.Ttl}" : $"logged in again (Kubernetes auth) after the renewal was refused ({refused.Message})";
    }

    /// <summary>Reads a leased path again; returns the used fields whose value changed since the last read, with the keys they feed.</summary>
    public async Task<IReadOnlyList<(string Field, IReadOnlyCollection<string> Keys)>> RereadAsync(string path, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, "v1/" + path);
        var body = await SendAsync(request, $"reading Vault secret {path} again", cancellationToken);
        var data = body.GetProperty("data");
        var fields = data.TryGetProperty("data", out var inner) && data.TryGetProperty("metadata", out _) ? inner : data;
        _paths[path] = fields.Clone();
        NoteLease(path, body);
        var changed = new List<(string, IReadOnlyCollection<string>)>();
        foreach (var (field, used) in _used.GetValueOrDefault(path) ?? [])
        {
            var now = fields.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
                ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
                : null;
            if (now != used.LastRead)
            {
                used.LastRead = now ?? "";

                changed.Add((field, used.Keys));
            }
        }

        return changed;
    }

    private async Task LoginAsync(CancellationToken cancellationToken)
    {
        var kubernetes = _config.Kubernetes!;
        var jwt = (await File.ReadAllTextAsync(kubernetes.JwtPath, cancellationToken)).Trim();
        var now = DateTimeOffset.UtcNow;
        using var login = new HttpRequestMessage(HttpMethod.Post, $"v1/auth/{kubernetes.Mount.Trim('/')}/login") { Content = JsonContent.Create(new { role = kubernetes.Role, jwt }) };
        var auth = (await SendAsync(login, $"logging in to Vault again (Kubernetes auth, role {kubernetes.Role})", cancellationToken)).GetProperty("auth");
        // Only ever sent in a header: the redactor, built at start, need not know it.
        _token = auth.GetProperty("client_token").GetString()!;
        _tokenLease = TokenLease.OfAuth(auth, now);
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Vault-Token", _token ?? _config.Token);
        return request;
    }

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, string doing, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new VaultRenewalException($"{doing}: Vault at {_http.BaseAddress} cannot be reached: {e.Message}");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new VaultRenewalException($"{doing}: {Reason(response.StatusCode)}{Errors(text)}");
            }

            try
            {
                return JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new VaultRenewalException($"{doing}: Vault answered something that is not JSON");
            }
        }
    }
}
