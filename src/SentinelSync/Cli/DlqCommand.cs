using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel dlq list|show|replay|discard</c>: the dead-letter queue of the cluster, through any silo.
/// Tables for people, <c>--json</c> for scripts; exit codes as <see cref="AdminClient"/>.
/// </summary>
internal static class DlqCommand
{
    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table.", Recursive = true };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only this pipeline." };
        var sink = new Option<string?>("--sink") { Description = "Only this sink." };
        var table = new Option<string?>("--table") { Description = "Only this source table (schema.table)." };
        var status = new Option<string>("--status") { Description = "pending, replayed, discarded or all.", DefaultValueFactory = _ => "pending" };
        var ids = new Option<long[]>("--id") { Description = "Dead letter ids (repeatable).", AllowMultipleArgumentsPerToken = true };
        var id = new Argument<long>("id") { Description = "Dead letter id." };

        var list = new Command("list", "List dead letters.") { pipeline, sink, table, status };
        list.SetAction((parse, cancellation) => AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), async client =>
        {
            var query = string.Join("&", new[] { ("pipeline", parse.GetValue(pipeline)), ("sink", parse.GetValue(sink)), ("table", parse.GetValue(table)), ("status", parse.GetValue(status)) }
                .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
            return await client.GetAsync($"api/dlq?{query}", cancellation);
        }, PrintList));

        var show = new Command("show", "Show one dead letter with its change.") { id };
        show.SetAction((parse, cancellation) => AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), true, client => client.GetAsync($"api/dlq/{parse.GetValue(id)}", cancellation), _ => { }));

        var replay = new Command("replay", "Apply dead letters again (all pending of the filter, or --id ...).") { pipeline, sink, table, ids };
        replay.SetAction((parse, cancellation) => AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), client =>
        {
            var post = () => client.PostAsync(
                "api/dlq/replay",
                new { pipeline = parse.GetValue(pipeline), sink = parse.GetValue(sink), table = parse.GetValue(table), ids = parse.GetValue(ids) },
                cancellation);

            // A spinner for people; scripts (--json) get nothing but the JSON.
            return parse.GetValue(json) ? post() : AnsiConsole.Status().StartAsync("Replaying dead letters...", _ => post());
        },
            body => AnsiConsole.MarkupLine($"Replayed [green]{body.GetProperty("replayed").GetInt32()}[/] dead letter(s).")));

        var discard = new Command("discard", "Mark dead letters discarded (they are kept, never applied).") { ids };
        discard.SetAction((parse, cancellation) => AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), client =>
            client.PostAsync("api/dlq/discard", new { ids = parse.GetValue(ids) ?? [] }, cancellation),
            body => AnsiConsole.MarkupLine($"Discarded [yellow]{body.GetProperty("discarded").GetInt32()}[/] dead letter(s).")));

        return new Command("dlq", "Inspect, replay or discard the dead-letter queue.") { server, token, json, list, show, replay, discard };
    }

    private static void PrintList(JsonElement letters)
    {
        var table = new Table().AddColumns("id", "pipeline", "sink", "table", "position", "error", "attempts", "failed at");
        foreach (var letter in letters.EnumerateArray())
        {
            var position = letter.GetProperty("position");
            table.AddRow(
                letter.GetProperty("id").ToString(),
                Markup.Escape(letter.GetProperty("pipeline").GetString()!),
                Markup.Escape(letter.GetProperty("sink").GetString()!),
                Markup.Escape(letter.GetProperty("sourceTable").GetString()!),
                $"{position.GetProperty("lsn")}#{position.GetProperty("ordinal")}",
                Markup.Escape($"{letter.GetProperty("errorType").GetString()}: {letter.GetProperty("error").GetString()}"),
                letter.GetProperty("attempts").ToString(),
                letter.GetProperty("failedAt").GetDateTimeOffset().ToString("u"));
        }

        AnsiConsole.Write(table);
    }
}
