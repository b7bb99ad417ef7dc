using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel resync PIPELINE TABLE</c>: re-snapshots one table while the pipeline keeps streaming, and
/// follows it with a progress bar until every sink applied it (or only starts it, with <c>--no-wait</c>).
/// Exit codes as <see cref="AdminClient"/>; a resync that ends failed or interrupted is 1.
/// </summary>
internal static class ResyncCommand
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the final status as JSON (no progress bar)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Start the resync and return its status at once." };
        var pipeline = new Argument<string>("pipeline") { Description = "The pipeline's name." };
        var table = new Argument<string>("table") { Description = "The source table: schema.table, or a bare name in public." };
        var command = new Command("resync", "Re-snapshot one table of a running pipeline without stopping the others: its destination tables are emptied and refilled.")
        {
            pipeline, table, server, token, json, noWait,
        };

        command.SetAction(async (parse, cancellation) =>
        {
            var path = $"api/pipelines/{Uri.EscapeDataString(parse.GetValue(pipeline)!)}/tables/{Uri.EscapeDataString(parse.GetValue(table)!)}/resync";
            var quiet = parse.GetValue(json) || Console.IsOutputRedirected;
            JsonElement last = default;
            var exit = await AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), async client =>
            {
                var started = await client.PostAsync(path, new { }, cancellation);
                var result = started.Status >= 400 || parse.GetValue(noWait)
                    ? started
                    : quiet
                        ? await FollowAsync(client, path, _ => { }, cancellation)
                        : await AnsiConsole.Progress()
                            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                            .StartAsync(async context =>
                            {
                                var bar = context.AddTask(Markup.Escape(parse.GetValue(table)!));
                                return await FollowAsync(client, path, status => Show(bar, status), cancellation);
                            });
                last = result.Body;
                return result;
            }, Print);

            return exit == 0 && last.TryGetProperty("state", out var state) && state.GetString() is "failed" or "interrupted" ? AdminClient.Failed : exit;
        });
        return command;
    }

    /// <summary>Polls the table's latest resync until it ends; a failed poll ends the follow with its answer.</summary>
    private static async Task<(int Status, JsonElement Body)> FollowAsync(AdminClient client, string path, Action<JsonElement> progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await client.GetAsync(path, cancellationToken);
            if (status.Status >= 400)
            {
                return status;
            }

            progress(status.Body);
            if (status.Body.GetProperty("state").GetString() is "done" or "failed" or "interrupted")
            {
                return status;
            }

            await Task.Delay(s_pollInterval, cancellationToken);
        }
    }

    private static void Show(ProgressTask bar, JsonElement status)
    {
        var copied = status.GetProperty("rowsCopied").GetInt64();
        bar.MaxValue = Math.Max(1, status.GetProperty("rowsEstimated").GetInt64());
        bar.Value = copied;
        bar.Description = $"{status.Text("table")} {status.Text("state")}, {copied.ToString("N0", CultureInfo.InvariantCulture)} rows";
        if (status.GetProperty("state").GetString() is "done")
        {
            bar.Value = bar.MaxValue;
        }
    }

    private static void Print(JsonElement status)
    {
        var state = status.GetProperty("state").GetString()!;
        var started = status.GetProperty("startedAt").GetDateTimeOffset();
        var seconds = status.TryGetProperty("finishedAt", out var finished) && finished.ValueKind == JsonValueKind.String
            ? $" in {(finished.GetDateTimeOffset() - started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
            : "";
        AnsiConsole.MarkupLine($"Resync of [bold]{status.Text("table")}[/] ({status.Text("pipeline")}): {JsonText.State(state)}, {status.Number("rowsCopied")} rows in {status.Number("chunks")} chunk(s){seconds}");
        if (status.Text("error") is var error && error != "-")
        {
            AnsiConsole.MarkupLine($"[red]{error}[/]");
        }
    }
}
