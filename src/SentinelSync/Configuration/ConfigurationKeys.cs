namespace SentinelSync.Configuration;

/// <summary>Spells configuration keys the way users write them: <c>pipelines[0].source.postgres.slot</c>.</summary>
internal static class ConfigurationKeys
{
    public static string Display(string path)
    {
        var parts = path.Split(':');
        var display = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            if (int.TryParse(part, out _))
            {
                display.Append('[').Append(part).Append(']');
            }
            else
            {
                if (display.Length > 0)
                {
                    display.Append('.');
                }

                display.Append(part);
            }
        }

        return display.ToString();
    }
}
