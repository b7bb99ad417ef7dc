using System.CommandLine;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel pause NAME</c> and <c>sentinel resume NAME</c>: stop reading a pipeline's source (its slot is
/// kept; it stays paused across restarts) or start it again. Exit codes as <see cref="AdminClient"/>; an
/// unknown pipeline is 2.
/// </summary>
internal static class PipelineControlCommand
{
    public static Command Create(string verb, string description)
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON ({pipeline, phase})." };
        var name = new Argument<string>("pipeline") { Description = "The pipeline's name." };
        var command = new Command(verb, description) { name, server, token, json };
        command.SetAction((parse, cancellation) => AdminVerb.RunAsync(
            parse.GetValue(server)!,
            parse.GetValue(token),
            parse.GetValue(json),
            client => client.PostAsync($"api/pipelines/{Uri.EscapeDataString(parse.GetValue(name)!)}/{verb}", new { }, cancellation),
            body => AnsiConsole.MarkupLine($"Pipeline [bold]{body.Text("pipeline")}[/]: {JsonText.State(body.GetProperty("phase").GetString()!)}")));
        return command;
    }
}
