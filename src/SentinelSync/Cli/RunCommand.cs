using System.CommandLine;

namespace SentinelSync.Cli;

/// <summary><c>sentinel run --config FILE</c>: starts a silo with the pipelines of the file.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "The configuration file (YAML or JSON).", Required = true };
        var command = new Command("run", "Start a silo with the pipelines of a configuration file.") { config };
        command.SetAction((parse, cancellation) =>
        {
            var file = parse.GetValue(config)!;
            Console.Error.WriteLine($"sentinel: pipelines are not implemented yet ({file.FullName}).");
            return Task.FromResult(2);
        });
        return command;
    }
}
