using System.Text.RegularExpressions;

namespace SentinelSync.Configuration;

/// <summary>
/// Resolves secret references inside configuration values: <c>${env:NAME}</c> is replaced by the environment
/// variable, <c>${file:/path}</c> by the file's content (trailing newline removed), so that passwords need not
/// be written into the configuration file.
/// </summary>
internal static partial class SecretReferences
{
    [GeneratedRegex(@"\$\{(env|file):([^}]+)\}")]
    private static partial Regex Reference();

    /// <summary>
    /// <paramref name="value"/> with its references resolved; each resolved value is added to
    /// <paramref name="resolved"/> (they are secrets, to be masked wherever they would be shown).
    /// </summary>
    public static string? Resolve(string file, string key, string? value, Func<string, string?> environment, ICollection<string>? resolved = null)
    {
        if (value is null || !value.Contains("${", StringComparison.Ordinal))
        {
            return value;
        }

        return Reference().Replace(value, match =>
        {
            var source = match.Groups[1].Value;
            var name = match.Groups[2].Value;
            if (source == "env")
            {
                var variable = environment(name) ?? throw new ConfigurationException(file, ConfigurationKeys.Display(key), $"refers to environment variable {name}, which is not set");
                resolved?.Add(variable);
                return variable;
            }

            try
            {
                var content = File.ReadAllText(name).TrimEnd('\r', '\n');
                resolved?.Add(content);
                return content;
            }
            catch (IOException e)
            {
                throw new ConfigurationException(file, ConfigurationKeys.Display(key), $"refers to file {name}, which cannot be read: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                throw new ConfigurationException(file, ConfigurationKeys.Display(key), $"refers to file {name}, which cannot be read: {e.Message}");
            }
        });
    }
}
