using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel grains</c>: the activations of every silo of the cluster (asked through the silo at
/// <c>--server</c>), counted by grain type, and with <c>--all</c> every grain id. Exit codes as <see cref="AdminClient"/>.
/// </summary>
internal static class GrainsCommand
{
    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON ({silo, grains, silos: [{name, status, grains, error}]}) instead of tables." };
        var all = new Option<bool>("--all") { Description = "List every grain id, not only the counts by type." };
        var command = new Command("grains", "Show the grain activations of every silo.") { server, token, json, all };
        command.SetAction((parse, cancellation) => AdminVerb.RunAsync(
            parse.GetValue(server)!,
            parse.GetValue(token),
            parse.GetValue(json),
            client => client.GetAsync("api/grains", cancellation),
            body => Print(body, parse.GetValue(all))));
        return command;
    }

    private static void Print(JsonElement body, bool all)
    {
        foreach (var silo in body.GetProperty("silos").EnumerateArray())
        {
            var name = silo.Text("name");
            if (silo.GetProperty("grains").ValueKind != JsonValueKind.Array)
            {
                AnsiConsole.MarkupLine($"[bold]{name}[/] ({silo.Text("status")}): {silo.Text("error")}");
                continue;
            }

            var ids = silo.GetProperty("grains").EnumerateArray().Select(g => g.GetString()!).ToList();
            var table = new Table().Title($"Activations on {name}{(name == body.Text("silo") ? " (this silo)" : "")}: {ids.Count}").AddColumns("grain type", all ? "grain" : "activations");
            foreach (var type in ids.GroupBy(id => id.Split('/', 2)[0]).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                if (all)
                {
                    foreach (var id in type)
                    {
                        table.AddRow(Markup.Escape(type.Key), Markup.Escape(id));
                    }
                }
                else
                {
                    table.AddRow(Markup.Escape(type.Key), type.Count().ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            AnsiConsole.Write(table);
        }
    }
}
