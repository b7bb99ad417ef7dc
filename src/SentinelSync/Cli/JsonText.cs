using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>Reads admin API JSON fields for table cells: missing and null become "-", text is markup-escaped.</summary>
internal static class JsonText
{
    public static string Text(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? Markup.Escape(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText())
            : "-";

    public static string Number(this JsonElement element, string name, string format = "N0") =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble().ToString(format, CultureInfo.InvariantCulture)
            : "-";

    public static string Ago(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? $"{Math.Max(0, (DateTimeOffset.UtcNow - value.GetDateTimeOffset()).TotalSeconds):0.0} s ago"
            : "-";

    /// <summary>A phase or status in colour: green when healthy, yellow in between, red when not.</summary>
    public static string State(string text) => text switch
    {
        "Active" or "streaming" or "done" => $"[green]{Markup.Escape(text)}[/]",
        "failed" or "Dead" or "unknown" or "interrupted" => $"[red]{Markup.Escape(text)}[/]",
        _ => $"[yellow]{Markup.Escape(text)}[/]",
    };
}
