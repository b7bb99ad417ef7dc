namespace SentinelSync.Configuration;

/// <summary>A configuration file that cannot be used, with the file, the key (as written in the file) and what is wrong.</summary>
public sealed class ConfigurationException(string file, string key, string problem)
    : Exception($"{file}: {key}: {problem}")
{
    public string File { get; } = file;

    public string Key { get; } = key;

    public string Problem { get; } = problem;
}
