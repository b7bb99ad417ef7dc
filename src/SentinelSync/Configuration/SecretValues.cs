using System.Collections;
using System.Text.RegularExpressions;

namespace SentinelSync.Configuration;

/// <summary>
/// The secrets of a configuration, as exact values for <see cref="Redactor"/>: passwords of connection strings
/// (parsed, or found by key when the string does not parse), passwords in URLs (<c>http://user:password@host</c>),
/// every <c>password</c> and <c>token</c> key, the masking salt and keys, every value a <c>${env:}</c> or <c>${file:}</c> reference
/// resolved to, <c>SENTINEL_TOKEN</c>, and the values of <c>OTEL_EXPORTER_OTLP_HEADERS</c> (collector API keys).
/// </summary>
public static partial class SecretValues
{
    public const string OtlpHeadersVariable = "OTEL_EXPORTER_OTLP_HEADERS";

    private static readonly string[] s_secretKeys = ["password", "token", "pwd", "secret", "apikey", "api_key"];

    [GeneratedRegex("""(?:^|;)\s*(?:password|pwd)\s*=\s*("[^"]*"|'[^']*'|[^;]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringPassword();

    [GeneratedRegex(@"://([^/@\s:]*):([^/@\s]+)@")]
    private static partial Regex UrlCredentials();

    /// <summary>The secrets of a configuration built in code or loaded (plus those <see cref="SentinelConfig.Secrets"/> recorded while loading).</summary>
    public static IReadOnlyList<string> Of(SentinelConfig config)
    {
        var secrets = new List<string?> { config.Silo.Token };
        secrets.AddRange(config.Silo.Tokens.Select(t => t.Token));
        secrets.Add(config.Vault.Token);
        secrets.AddRange(InValue(config.ControlDb));
        secrets.AddRange(InValue(config.Telemetry.OtlpEndpoint));
        foreach (var pipeline in config.Pipelines)
        {
            secrets.AddRange(InValue(pipeline.Source?.Postgres?.Connection));
            secrets.Add(pipeline.Source?.Kafka?.SchemaRegistry?.Password);
            secrets.Add(pipeline.Source?.Kafka?.Security.Password);
            foreach (var sink in pipeline.Sinks)
            {
                secrets.AddRange(InValue(sink.Postgres?.Connection));
                secrets.AddRange(InValue(sink.ClickHouse?.Url));
                secrets.Add(sink.ClickHouse?.Password);
                secrets.Add(sink.Kafka?.Security.Password);
                secrets.Add(sink.Kafka?.SchemaRegistry?.Password);
                secrets.Add(sink.Cassandra?.Password);
            }
        }

        secrets.Add(config.Masking.Salt);
        secrets.AddRange(config.Masking.Keys.Select(k => k.Key));
        secrets.AddRange(config.Secrets);
        return Distinct(secrets);
    }

    /// <summary>
    /// The secrets among raw configuration values (<c>section:key</c> → value, before or after references are
    /// resolved) and the process environment, for error messages raised before the configuration is bound.
    /// </summary>
    public static IReadOnlyList<string> In(IEnumerable<KeyValuePair<string, string?>> values, IDictionary environment)
    {
        var secrets = new List<string?>();
        foreach (var (key, value) in values)
        {
            var last = key[(key.LastIndexOf(':') + 1)..];
            if (s_secretKeys.Any(k => last.Equals(k, StringComparison.OrdinalIgnoreCase)) || IsMaskingSecret(key, last))
            {
                secrets.Add(value);
            }

            secrets.AddRange(InValue(value));
        }

        secrets.Add(environment[AdminAccess.TokenVariable] as string);
        secrets.Add(environment["VAULT_TOKEN"] as string);
        secrets.AddRange(OtlpHeaderValues(environment[OtlpHeadersVariable] as string));
        return Distinct(secrets);
    }

    /// <summary>The masking salt and keys (<c>masking:salt</c>, <c>masking:keys:N:key</c>): they make masked values reversible by guessing.</summary>
    private static bool IsMaskingSecret(string key, string last) =>
        key.StartsWith("masking:", StringComparison.OrdinalIgnoreCase)
        && (last.Equals("salt", StringComparison.OrdinalIgnoreCase) || last.Equals("key", StringComparison.OrdinalIgnoreCase));

    /// <summary>Passwords inside one value: a connection string's, a URL's user-info.</summary>
    public static IEnumerable<string> InValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            yield break;
        }

        if (ConnectionStrings.Password(value) is { } password)
        {
            yield return password;
        }

        foreach (Match match in ConnectionStringPassword().Matches(value))
        {
            var found = match.Groups[1].Value.Trim();
            yield return found;
            if (found.Length > 1 && found[0] is '"' or '\'')
            {
                yield return found[1..^1];
            }
        }

        foreach (Match match in UrlCredentials().Matches(value))
        {
            yield return match.Groups[2].Value;
            yield return Uri.UnescapeDataString(match.Groups[2].Value);
        }
    }

    /// <summary>The values of <c>key1=value1,key2=value2</c> (the OpenTelemetry header list), URL-decoded as well.</summary>
    public static IEnumerable<string> OtlpHeaderValues(string? headers)
    {
        foreach (var header in (headers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = header.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0 && header[(equals + 1)..].Trim() is { Length: > 0 } value)
            {
                yield return value;
                yield return Uri.UnescapeDataString(value);
            }
        }
    }

    private static List<string> Distinct(IEnumerable<string?> secrets) =>
        [.. secrets.OfType<string>().Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)];
}
