using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary><c>sentinel audit [--since 24h|2026-11-30T08:00Z] [--limit N] [--json]</c>: the admin API's audit trail, newest first.</summary>
internal static partial class AuditCommand
{
    [GeneratedRegex(@"^(\d+)([smhd])$")]
    private static partial Regex Age();

    public static Command Create()
    {
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var since = new Option<string>("--since") { Description = "Entries since an age (30m, 24h, 7d) or a timestamp (ISO 8601).", DefaultValueFactory = _ => "24h" };
        var limit = new Option<int>("--limit") { Description = "At most this many entries.", DefaultValueFactory = _ => 100 };
        var command = new Command("audit", "Show who changed what through the admin API (state-changing calls, allowed or refused).") { server, token, json, since, limit };
        command.SetAction(async (parse, cancellation) =>
        {
            if (Since(parse.GetValue(since)!) is not { } from)
            {
                await Console.Error.WriteLineAsync($"sentinel: --since: '{parse.GetValue(since)}' is neither an age (30m, 24h, 7d) nor a timestamp (2026-11-30T08:00:00Z).");
                return 2;
            }

            return await AdminVerb.RunAsync(parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(json), client =>
                client.GetAsync($"api/audit?since={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&limit={parse.GetValue(limit)}", cancellation), Print);
        });
        return command;
    }

    internal static DateTimeOffset? Since(string value)
    {
        if (Age().Match(value) is { Success: true } age)
        {
            var amount = int.Parse(age.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = age.Groups[2].Value switch { "s" => TimeSpan.FromSeconds(amount), "m" => TimeSpan.FromMinutes(amount), "h" => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) };
            return DateTimeOffset.UtcNow - span;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    private static void Print(JsonElement entries)
    {
        var table = new Table().AddColumns("time", "who", "role", "action", "arguments", "status", "result", "silo");
        foreach (var entry in entries.EnumerateArray())
        {
            table.AddRow(
                entry.GetProperty("at").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                Markup.Escape(entry.GetProperty("tokenId").GetString()!),
                Markup.Escape(entry.GetProperty("role").GetString()!),
                Markup.Escape(entry.GetProperty("action").GetString()!),
                Markup.Escape(entry.GetProperty("arguments") is { ValueKind: JsonValueKind.Object } arguments ? arguments.ToString() : ""),
                entry.GetProperty("status").ToString(),
                Markup.Escape(entry.GetProperty("result").GetString()!),
                Markup.Escape(entry.GetProperty("silo").GetString()!));
        }

        AnsiConsole.Write(table);
    }
}
