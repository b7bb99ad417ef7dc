using System.CommandLine;
using SentinelSync.Configuration;

namespace SentinelSync.Cli;

/// <summary><c>--token</c>, shared by the admin verbs: the silo's bearer token, <c>SENTINEL_TOKEN</c> by default.</summary>
internal static class TokenOption
{
    public static Option<string?> Create() => new("--token")
    {
        Description = $"The silo's admin token (default: ${AdminAccess.TokenVariable}).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(AdminAccess.TokenVariable),
        Recursive = true,
    };
}
