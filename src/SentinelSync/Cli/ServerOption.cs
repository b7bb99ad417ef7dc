using System.CommandLine;

namespace SentinelSync.Cli;

/// <summary><c>--server URL</c>, shared by the admin verbs: any silo's HTTP address, the local silo by default.</summary>
internal static class ServerOption
{
    public static Option<Uri> Create() => new("--server")
    {
        Description = "Any silo's HTTP address.",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:8080"),
        Recursive = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"--server must be an http(s) URL such as http://127.0.0.1:8080, not '{text}'.");
            return null;
        },
    };
}
