using System.Text.Encodings.Web;

namespace SentinelSync.Configuration;

/// <summary>
/// Replaces every secret this process knows, by exact value, with <see cref="ConnectionStrings.Mask"/> in free
/// text that leaves the process: log entries (message, structured values, exception text), admin API
/// responses, error messages of <c>sentinel</c> verbs. The secrets are those <see cref="SecretValues"/> finds
/// in the configuration. Connection strings themselves are shown only through <see cref="ConnectionStrings.Masked"/>.
/// </summary>
public sealed class Redactor
{
    /// <summary>How System.Text.Json escapes by default (<c>\u0022</c>) and how most other writers do (<c>\"</c>).</summary>
    private static readonly JavaScriptEncoder[] s_json = [JavaScriptEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping];

    private readonly string[] _secrets;

    public Redactor(SentinelConfig config)
        : this(SecretValues.Of(config))
    {
    }

    public Redactor(IEnumerable<string?> secrets)
    {
        // Each secret also as JSON and URLs escape it (a password with a quote or a space in a response body or a
        // URL), longest first, so that a secret containing another is replaced whole.
        _secrets = [.. secrets.OfType<string>()
            .Where(s => s.Length > 0)
            .SelectMany(s => new[] { s, s_json[0].Encode(s), s_json[1].Encode(s), Uri.EscapeDataString(s) })
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)];
    }

    /// <summary>True when there is nothing to redact (no secret configured).</summary>
    public bool IsEmpty => _secrets.Length == 0;

    public bool Finds(string? text) => text is not null && _secrets.Any(s => text.Contains(s, StringComparison.Ordinal));

    public string? Redact(string? text)
    {
        if (text is null || !Finds(text))
        {
            return text;
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, ConnectionStrings.Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
