using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel status</c>: the silos of the cluster and a line per pipeline (phase, lag, rows/s), from
/// <c>/api/cluster</c> and <c>/api/pipelines</c>. Exit codes as <see cref="AdminClient"/>.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON ({cluster, pipelines}) instead of tables." };
        var command = new Command("status", "Show the cluster's silos and the pipelines' state and lag.") { server, token, json };
        command.SetAction((parse, cancellation) => AdminVerb.RunAsync(
            parse.GetValue(server)!,
            parse.GetValue(token),
            parse.GetValue(json),
            client => AdminVerb.GetBothAsync(client, "cluster", "api/cluster", "pipelines", "api/pipelines", cancellation),
            Print));
        return command;
    }

    private static void Print(JsonElement body)
    {
        var cluster = body.GetProperty("cluster");
        var silos = new Table().Title($"Cluster (answered by {cluster.Text("silo")})").AddColumns("silo", "status", "address", "heartbeat", "activations");
        foreach (var silo in cluster.GetProperty("silos").EnumerateArray())
        {
            var grains = silo.GetProperty("grains");
            silos.AddRow(
                silo.Text("name"),
                JsonText.State(silo.GetProperty("status").GetString()!),
                silo.Text("address"),
                silo.Ago("lastHeartbeat"),
                grains.ValueKind == JsonValueKind.Object
                    ? string.Join(", ", grains.EnumerateObject().Select(g => $"{g.Name} {g.Value.GetInt32()}")) is { Length: > 0 } types ? Markup.Escape(types) : "0"
                    : $"[red]{Markup.Escape(silo.TryGetProperty("error", out var error) ? error.GetString() ?? "?" : "?")}[/]");
        }

        AnsiConsole.Write(silos);
        PipelinesCommand.PrintSummary(body.GetProperty("pipelines"));
    }
}
