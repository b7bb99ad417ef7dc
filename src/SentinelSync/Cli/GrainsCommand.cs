using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel grains</c>: the activations of the silo at <c>--server</c>, counted by grain type, and with
/// <c>--all</c> every grain id. Exit codes as <see cref="AdminClient"/>.
/// </summary>
internal static class GrainsCommand
{
    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON ({silo, grains}) instead of a table." };
        var all = new Option<bool>("--all") { Description = "List every grain id, not only the counts by type." };
        var command = new Command("grains", "Show a silo's grain activations.") { server, token, json, all };
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
        var ids = body.GetProperty("grains").EnumerateArray().Select(g => g.GetString()!).ToList();
        var table = new Table().Title($"Activations on {body.Text("silo")}: {ids.Count}").AddColumns("grain type", all ? "grain" : "activations");
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
