using SentinelSync.Configuration;

namespace SentinelSync.Admin;

/// <summary>
/// Removes this silo's secrets (connection string passwords, the admin token) from free text that leaves the
/// process: error messages in API output and in the dashboard. Connection strings themselves are shown only
/// through <see cref="ConnectionStrings.Masked"/>.
/// </summary>
internal sealed class Redactor
{
    private readonly string[] _secrets;

    public Redactor(SentinelConfig config)
    {
        var secrets = new List<string?> { ConnectionStrings.Password(config.ControlDb), config.Silo.Token };
        foreach (var pipeline in config.Pipelines)
        {
            secrets.Add(ConnectionStrings.Password(pipeline.Source?.Postgres?.Connection));
            secrets.AddRange(pipeline.Sinks.Select(s => ConnectionStrings.Password(s.Postgres?.Connection)));
        }

        // Longest first, so that a secret containing another is replaced whole.
        _secrets = [.. secrets.OfType<string>().Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    public string? Redact(string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, ConnectionStrings.Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
