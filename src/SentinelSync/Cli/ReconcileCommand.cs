using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel reconcile PIPELINE</c>: compares the pipeline's tables at its sinks with the source (and repairs
/// what drifted with <c>--repair</c>), following the run with a progress bar; <c>sentinel reconcile status</c>
/// lists the latest runs. Exit codes as <see cref="AdminClient"/>, plus <see cref="DriftFound"/> when drift
/// remains (or rows kept changing); a failed or interrupted run is 1.
/// </summary>
internal static class ReconcileCommand
{
    /// <summary>The run ended with drift left (or unsettled rows): the destinations are not known to equal the source.</summary>
    public const int DriftFound = 5;

    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the run as JSON (no progress bar)." };
        var pipeline = new Argument<string>("pipeline") { Description = "The pipeline's name." };
        var tables = new Option<string[]>("--table") { Description = "A table to check (schema.table, or a bare name in public); repeatable. Default: every table.", AllowMultipleArgumentsPerToken = false };
        var sink = new Option<string?>("--sink") { Description = "Only this sink. Default: every sink." };
        var mode = new Option<string>("--mode") { Description = "count, checksum (default) or rows (lists the differing keys).", DefaultValueFactory = _ => "checksum" };
        mode.AcceptOnlyFromAmong("count", "checksum", "rows");
        var repair = new Option<bool>("--repair") { Description = "Re-copy the drifted rows from the source, in stream order, while the pipeline streams." };
        var command = new Command("reconcile", "Verify that a pipeline's destinations equal its source, and repair drifted rows with --repair.")
        {
            pipeline, tables, sink, mode, repair, server, token, json,
        };
        command.Subcommands.Add(CreateStatus());

        command.SetAction(async (parse, cancellation) =>
        {
            var quiet = parse.GetValue(json) || Console.IsOutputRedirected;
            JsonElement last = default;
            var body = new { tables = parse.GetValue(tables) ?? [], sink = parse.GetValue(sink), mode = parse.GetValue(mode), repair = parse.GetValue(repair) };
            var exit = await AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), async client =>
            {
                var started = await client.PostAsync($"api/pipelines/{Uri.EscapeDataString(parse.GetValue(pipeline)!)}/reconcile", body, cancellation);
                if (started.Status >= 400)
                {
                    return started;
                }

                var path = $"api/reconcile/{Uri.EscapeDataString(started.Body.GetProperty("id").GetString()!)}";
                var result = quiet
                    ? await FollowAsync(client, path, _ => { }, cancellation)
                    : await AnsiConsole.Progress()
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                        .StartAsync(async context =>
                        {
                            var bar = context.AddTask(Markup.Escape(parse.GetValue(pipeline)!));
                            return await FollowAsync(client, path, run => Show(bar, run), cancellation);
                        });
                last = result.Body;
                return result;
            }, Print);

            return exit != 0 ? exit : ExitCode(last);
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the runs as JSON." };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only this pipeline's runs." };
        var id = new Option<string?>("--id") { Description = "One run, in full." };
        var command = new Command("status", "The latest reconcile runs (newest first), or one run with --id.") { pipeline, id, server, token, json };
        command.SetAction(async (parse, cancellation) =>
        {
            var one = parse.GetValue(id);
            var path = one is not null
                ? $"api/reconcile/{Uri.EscapeDataString(one)}"
                : parse.GetValue(pipeline) is { } name ? $"api/reconcile?pipeline={Uri.EscapeDataString(name)}" : "api/reconcile";
            return await AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), client => client.GetAsync(path, cancellation), one is not null ? Print : PrintList);
        });
        return command;
    }

    private static int ExitCode(JsonElement run) =>
        run.ValueKind != JsonValueKind.Object ? 0
        : run.GetProperty("status").GetString() switch
        {
            "ok" or "repaired" => 0,
            "drift" or "unsettled" => DriftFound,
            _ => AdminClient.Failed,
        };

    /// <summary>Polls the run until it ends; a failed poll ends the follow with its answer.</summary>
    private static async Task<(int Status, JsonElement Body)> FollowAsync(AdminClient client, string path, Action<JsonElement> progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = await client.GetAsync(path, cancellationToken);
            if (run.Status >= 400)
            {
                return run;
            }

            progress(run.Body);
            if (run.Body.GetProperty("status").GetString() != "running")
            {
                return run;
            }

            await Task.Delay(s_pollInterval, cancellationToken);
        }
    }

    private static void Show(ProgressTask bar, JsonElement run)
    {
        var checkedRows = run.GetProperty("rowsChecked").GetInt64();
        bar.MaxValue = Math.Max(1, Math.Max(run.GetProperty("rowsEstimated").GetInt64(), checkedRows));
        bar.Value = checkedRows;
        bar.Description = $"{run.Text("pipeline")} {run.Text("status")}, {checkedRows.ToString("N0", CultureInfo.InvariantCulture)} rows checked";
        if (run.GetProperty("status").GetString() != "running")
        {
            bar.Value = bar.MaxValue;
        }
    }

    private static void Print(JsonElement run)
    {
        AnsiConsole.MarkupLine($"Reconcile [bold]{run.Text("id")}[/] of [bold]{run.Text("pipeline")}[/] ({run.Text("mode")}{(run.GetProperty("repair").GetBoolean() ? ", repair" : "")}): {Status(run.GetProperty("status").GetString()!)}, {run.Number("rowsChecked")} rows checked, {run.Number("driftRows")} drifted, {run.Number("repairedRows")} repaired, in {run.Number("seconds", "0.0")} s");
        var table = new Table().AddColumns("sink", "table", "status", "source rows", "sink rows", "chunks", "missing", "extra", "different", "unsettled", "repaired", "s");
        foreach (var t in run.GetProperty("tables").EnumerateArray())
        {
            var repair = t.TryGetProperty("repair", out var r) && r.ValueKind == JsonValueKind.Object ? $"{r.Number("upserted")} / {r.Number("deleted")} del" : "-";
            table.AddRow(t.Text("sink"), t.Text("table"), Status(t.GetProperty("status").GetString()!), t.Number("sourceRows"), t.Number("destinationRows"), t.Number("chunks"), t.Number("missing"), t.Number("extra"), t.Number("different"), t.Number("unsettled"), repair, t.Number("seconds", "0.0"));
        }

        AnsiConsole.Write(table);
        foreach (var t in run.GetProperty("tables").EnumerateArray())
        {
            foreach (var range in t.GetProperty("mismatchedRanges").EnumerateArray().Take(10))
            {
                AnsiConsole.MarkupLine($"  {t.Text("table")} at {t.Text("sink")}: range {Markup.Escape(range.GetString()!)}");
            }

            foreach (var key in t.GetProperty("keys").EnumerateArray().Take(20))
            {
                AnsiConsole.MarkupLine($"  {t.Text("table")} at {t.Text("sink")}: {key.Text("kind")} {Markup.Escape(string.Join(", ", key.GetProperty("key").EnumerateArray().Select(k => k.GetString())))}");
            }

            if (t.Text("error") is var error && error != "-")
            {
                AnsiConsole.MarkupLine($"[red]{error}[/]");
            }
        }

        if (run.Text("error") is var runError && runError != "-")
        {
            AnsiConsole.MarkupLine($"[red]{runError}[/]");
        }
    }

    private static void PrintList(JsonElement runs)
    {
        var table = new Table().AddColumns("id", "pipeline", "trigger", "mode", "status", "started", "s", "rows checked", "drifted", "repaired");
        foreach (var run in runs.EnumerateArray())
        {
            table.AddRow(run.Text("id"), run.Text("pipeline"), run.Text("trigger"), run.Text("mode") + (run.GetProperty("repair").GetBoolean() ? "+repair" : ""), Status(run.GetProperty("status").GetString()!), run.Text("startedAt"), run.Number("seconds", "0.0"), run.Number("rowsChecked"), run.Number("driftRows"), run.Number("repairedRows"));
        }

        AnsiConsole.Write(table);
    }

    private static string Status(string status) => status switch
    {
        "ok" or "repaired" => $"[green]{status}[/]",
        "running" or "unsettled" => $"[yellow]{status}[/]",
        _ => $"[red]{Markup.Escape(status)}[/]",
    };
}
