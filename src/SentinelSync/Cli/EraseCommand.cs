using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel erase PIPELINE --table T --key K</c>: right to erasure of one row at every sink of a pipeline and in its
/// dead-letter queue. <c>--key 5</c> for a table keyed by one column; <c>--key id=5 --key region=eu</c> names the
/// columns (needed for a composite key; split at the first '=', so <c>--key code=a=b</c> is the value <c>a=b</c>).
/// Exit 0 when every sink erased the row, 1 when one could not (the others did: run it again once fixed), 2 when
/// the request does not fit the table (nothing erased), 4 without an operator token.
/// </summary>
internal static class EraseCommand
{
    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var pipeline = new Argument<string>("pipeline") { Description = "The pipeline's name." };
        var table = new Option<string>("--table") { Description = "The source table: schema.table, or a bare name in public.", Required = true };
        var key = new Option<string[]>("--key")
        {
            Description = "The row's key: VALUE for a one-column key, or COLUMN=VALUE for each key column (repeat for a composite key).",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var reason = new Option<string?>("--reason") { Description = "Why (e.g. a ticket reference), kept in the audit trail; the key's values are not." };
        var command = new Command("erase", "Erase one row at every sink of a pipeline and in its dead-letter queue (right to erasure). Delete it at the source first, or it comes back.")
        {
            pipeline, table, key, reason, server, token, json,
        };

        command.SetAction((parse, cancellation) =>
        {
            var path = $"api/pipelines/{Uri.EscapeDataString(parse.GetValue(pipeline)!)}/tables/{Uri.EscapeDataString(parse.GetValue(table)!)}/erase";
            var body = Body(parse.GetValue(key)!, parse.GetValue(reason));
            return AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), async client =>
            {
                var result = await client.PostAsync(path, body, cancellation);
                if (result.Status == 502 && result.Body.TryGetProperty("report", out var report))
                {
                    // Partly done: show what each sink did before the error line.
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(JsonSerializer.Serialize(report, AdminVerb.Indented));
                    }
                    else
                    {
                        Print(report);
                    }
                }

                return result;
            }, Print);
        });
        return command;
    }

    private static object Body(string[] parts, string? reason)
    {
        if (parts.Length == 1 && !parts[0].Contains('=', StringComparison.Ordinal))
        {
            return new { value = parts[0], reason };
        }

        var key = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                // Sent as is: the silo answers which key columns the table has.
                key[part] = "";
                continue;
            }

            key[part[..equals]] = part[(equals + 1)..];
        }

        return new { key, reason };
    }

    private static void Print(JsonElement report)
    {
        var grid = new Table().AddColumns("sink", "destination", "removed", "dead letters deleted", "result");
        foreach (var sink in report.GetProperty("sinks").EnumerateArray())
        {
            var removed = sink.TryGetProperty("removed", out var r) && r.ValueKind == JsonValueKind.Object
                ? $"{r.Number("count")} {r.Text("unit")}"
                : "-";
            var result = sink.Text("error") is var error && error != "-" ? $"[red]{error}[/]" : "[green]erased[/]";
            grid.AddRow(sink.Text("sink"), sink.Text("destination"), removed, sink.Number("deadLettersPurged"), result);
        }

        AnsiConsole.MarkupLine($"Erasure of one row of [bold]{report.Text("table")}[/] ({report.Text("pipeline")}), keyed by {Markup.Escape(string.Join(", ", report.GetProperty("keyColumns").EnumerateArray().Select(c => c.GetString())))}:");
        AnsiConsole.Write(grid);
        if (report.GetProperty("otherDeadLettersPurged").GetInt32() > 0)
        {
            AnsiConsole.MarkupLine($"{report.Number("otherDeadLettersPurged")} dead letter(s) of sinks no longer configured deleted.");
        }

        if (report.GetProperty("stillAtSource").GetBoolean())
        {
            AnsiConsole.MarkupLine($"[yellow]Warning: {report.Text("warning")}[/]");
        }
    }
}
