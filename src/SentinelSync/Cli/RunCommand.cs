using System.CommandLine;
using SentinelSync.Configuration;
using SentinelSync.Hosting;

namespace SentinelSync.Cli;

/// <summary><c>sentinel run --config FILE</c>: starts a silo with the pipelines of the file.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "The configuration file (YAML or JSON).", Required = true };
        var command = new Command("run", "Start a silo with the pipelines of a configuration file.") { config };
        command.SetAction(async (parse, cancellation) =>
        {
            var file = parse.GetValue(config)!;
            SentinelConfig loaded;
            try
            {
                loaded = SentinelConfigLoader.Load(file.FullName);
                SiloPorts.EnsureFree(file.FullName, loaded.Silo);
            }
            catch (ConfigurationException e)
            {
                await Console.Error.WriteLineAsync($"sentinel: invalid configuration: {e.Message}");
                return 2;
            }

            // What escapes the host (a control database that cannot be reached, a port in use) is printed here
            // rather than by the command line's default handler, so that it goes through the redactor too.
            var redactor = new Redactor(loaded);
            try
            {
                await using var app = SiloHost.Build(loaded);
                await app.RunAsync(cancellation);
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"sentinel: the silo failed: {redactor.Redact(e.ToString())}");
                return 1;
            }
        });
        return command;
    }
}
