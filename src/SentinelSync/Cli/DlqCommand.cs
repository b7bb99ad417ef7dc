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
    /// <summary>Dead letters per replay request: small enough for the progress bar to move, large enough to be quick.</summary>
    private const int ReplayChunk = 100;

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
        list.SetAction((parse, cancellation) => AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), client =>
            client.GetAsync($"api/dlq?{Query(parse.GetValue(pipeline), parse.GetValue(sink), parse.GetValue(table), parse.GetValue(status))}", cancellation), PrintList));

        var show = new Command("show", "Show one dead letter with its change.") { id };
        show.SetAction((parse, cancellation) => AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), true, client => client.GetAsync($"api/dlq/{parse.GetValue(id)}", cancellation), _ => { }));

        var replay = new Command("replay", "Apply dead letters again (all pending of the filter, or --id ...).") { pipeline, sink, table, ids };
        replay.SetAction((parse, cancellation) => AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), async client =>
        {
            var filter = new ReplayFilter(parse.GetValue(pipeline), parse.GetValue(sink), parse.GetValue(table));
            var selected = parse.GetValue(ids) is { Length: > 0 } given ? given : null;
            if (selected is null)
            {
                var listed = await client.GetAsync($"api/dlq?{Query(filter.Pipeline, filter.Sink, filter.Table, "pending")}&limit={int.MaxValue}", cancellation);
                if (listed.Status >= 400)
                {
                    return listed;
                }

                selected = [.. listed.Body.EnumerateArray().Select(l => l.GetProperty("id").GetInt64()).Order()];
            }

            // A progress bar for people; scripts (--json) and pipes get nothing but the result.
            return parse.GetValue(json) || Console.IsOutputRedirected
                ? await ReplayInChunksAsync(client, filter, selected, _ => { }, cancellation)
                : await AnsiConsole.Progress().StartAsync(async context =>
                {
                    var bar = context.AddTask("Replaying dead letters", maxValue: Math.Max(1, selected.Length));
                    return await ReplayInChunksAsync(client, filter, selected, n => bar.Increment(n), cancellation);
                });
        },
            body => AnsiConsole.MarkupLine($"Replayed [green]{body.GetProperty("replayed").GetInt32()}[/] dead letter(s).")));

        var discard = new Command("discard", "Mark dead letters discarded (they are kept, never applied).") { ids };
        discard.SetAction((parse, cancellation) => AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), client =>
            client.PostAsync("api/dlq/discard", new { ids = parse.GetValue(ids) ?? [] }, cancellation),
            body => AnsiConsole.MarkupLine($"Discarded [yellow]{body.GetProperty("discarded").GetInt32()}[/] dead letter(s).")));

        return new Command("dlq", "Inspect, replay or discard the dead-letter queue.") { server, token, json, list, show, replay, discard };
    }

    /// <summary>
    /// Replays <paramref name="ids"/> (oldest first, so a row's changes keep their order) a chunk per request,
    /// reporting each chunk; stops at the first refused chunk with what was replayed so far.
    /// </summary>
    private static async Task<(int Status, JsonElement Body)> ReplayInChunksAsync(AdminClient client, ReplayFilter filter, long[] ids, Action<int> progress, CancellationToken cancellationToken)
    {
        var replayed = 0;
        foreach (var chunk in ids.Chunk(ReplayChunk))
        {
            var (status, body) = await client.PostAsync("api/dlq/replay", new { pipeline = filter.Pipeline, sink = filter.Sink, table = filter.Table, ids = chunk }, cancellationToken);
            if (body.TryGetProperty("replayed", out var count))
            {
                replayed += count.GetInt32();
            }

            if (status >= 400)
            {
                var message = body.TryGetProperty("message", out var m) ? m.GetString() : body.ToString();
                return (status, JsonSerializer.SerializeToElement(new { replayed, selected = ids.Length, message = $"{message} ({replayed} of {ids.Length} replayed before this)" }));
            }

            progress(chunk.Length);
        }

        return (200, JsonSerializer.SerializeToElement(new { replayed, selected = ids.Length }));
    }

    private static string Query(string? pipeline, string? sink, string? table, string? status) =>
        string.Join("&", new[] { ("pipeline", pipeline), ("sink", sink), ("table", table), ("status", status) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));

    private sealed record ReplayFilter(string? Pipeline, string? Sink, string? Table);

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
