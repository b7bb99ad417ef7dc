using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel pipelines</c>: every pipeline, and per table and sink its position, lag and throughput, from
/// <c>/api/pipelines</c>. Exit codes as <see cref="AdminClient"/>.
/// </summary>
internal static class PipelinesCommand
{
    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var command = new Command("pipelines", "Show the pipelines: state, lag and throughput per table and sink.") { server, token, json };
        command.SetAction((parse, cancellation) => AdminVerb.RunAsync(
            parse.GetValue(server)!,
            parse.GetValue(token),
            parse.GetValue(json),
            client => client.GetAsync("api/pipelines", cancellation),
            Print));
        return command;
    }

    public static void PrintSummary(JsonElement report)
    {
        var table = new Table().Title($"Pipelines (dead letters pending: {report.Number("pendingDeadLetters")})")
            .AddColumns("pipeline", "phase", "silo", "source", "lag bytes", "lag s", "rows/s", "error");
        foreach (var pipeline in report.GetProperty("pipelines").EnumerateArray())
        {
            table.AddRow(
                pipeline.Text("name"),
                JsonText.State(pipeline.GetProperty("phase").GetString()!),
                pipeline.Text("silo"),
                pipeline.Text("source"),
                pipeline.Number("lagBytes"),
                pipeline.Number("lagSeconds", "0.0"),
                pipeline.Number("rowsPerSecond", "N1"),
                pipeline.TryGetProperty("lastError", out var last) && last.ValueKind == JsonValueKind.String ? Markup.Escape(last.GetString()!) : pipeline.Text("error"));
        }

        AnsiConsole.Write(table);
    }

    private static void Print(JsonElement report)
    {
        PrintSummary(report);
        var tables = new Table().Title("Tables").AddColumns("pipeline", "table", "sink", "applied", "queued", "lag bytes", "lag s", "rows/s", "dead letters", "last error");
        foreach (var pipeline in report.GetProperty("pipelines").EnumerateArray())
        {
            foreach (var table in pipeline.GetProperty("tables").EnumerateArray())
            {
                foreach (var sink in table.GetProperty("sinks").EnumerateArray())
                {
                    tables.AddRow(
                        pipeline.Text("name"),
                        table.Text("table"),
                        sink.Text("sink"),
                        sink.Text("applied"),
                        sink.Number("queued"),
                        sink.Number("lagBytes"),
                        sink.Number("lagSeconds", "0.0"),
                        sink.Number("rowsPerSecond", "N1"),
                        sink.Number("deadLettered"),
                        sink.Text("lastError"));
                }
            }
        }

        AnsiConsole.Write(tables);
        PrintPartitions(report);
    }

    /// <summary>Kafka pipelines' partitions, when there are any: where each runs, its offsets and lag.</summary>
    private static void PrintPartitions(JsonElement report)
    {
        var partitions = new Table().Title("Kafka partitions").AddColumns("pipeline", "topic/partition", "silo", "phase", "committed", "end", "lag", "messages", "dead letters", "last error");
        foreach (var pipeline in report.GetProperty("pipelines").EnumerateArray())
        {
            if (!pipeline.TryGetProperty("partitions", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var partition in list.EnumerateArray())
            {
                partitions.AddRow(
                    pipeline.Text("name"),
                    Markup.Escape($"{partition.GetProperty("topic").GetString()}/{partition.GetProperty("partition").GetInt32()}"),
                    partition.Text("silo"),
                    JsonText.State(partition.GetProperty("phase").GetString()!),
                    partition.Number("committedOffset"),
                    partition.Number("endOffset"),
                    partition.Number("lag"),
                    partition.Number("messages"),
                    partition.Number("deadLettered"),
                    partition.Text("lastError"));
            }
        }

        if (partitions.Rows.Count > 0)
        {
            AnsiConsole.Write(partitions);
        }
    }
}
