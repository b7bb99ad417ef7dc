using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SentinelSync.Configuration;

/// <summary>Flattens a YAML (or JSON, which is YAML) document into configuration keys: <c>pipelines:0:source:postgres:slot</c>.</summary>
internal static class YamlConfigurationReader
{
    public static Dictionary<string, string?> Read(string file)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            yaml.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ConfigurationException(file, $"line {e.Start.Line}, column {e.Start.Column}", $"not valid YAML/JSON: {e.InnerException?.Message ?? e.Message}");
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (yaml.Documents.Count > 0)
        {
            if (yaml.Documents[0].RootNode is not YamlMappingNode)
            {
                throw new ConfigurationException(file, "(document)", "the top level must be a mapping of keys (controlDb, silo, pipelines)");
            }

            Flatten(yaml.Documents[0].RootNode, null, values);
        }

        return values;
    }

    private static void Flatten(YamlNode node, string? prefix, Dictionary<string, string?> values)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? string.Empty;
                    Flatten(value, prefix is null ? name : $"{prefix}:{name}", values);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], $"{prefix}:{i}", values);
                }

                break;
            case YamlScalarNode scalar:
                var isNull = scalar.Style == ScalarStyle.Plain && scalar.Value is null or "~" or "null" or "";
                values[prefix!] = isNull ? null : scalar.Value;
                break;
        }
    }
}
