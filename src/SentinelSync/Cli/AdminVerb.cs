using System.Text.Json;
using Spectre.Console;

namespace SentinelSync.Cli;

/// <summary>
/// How an admin verb runs: one or more calls to the silo, then a table for people or the JSON body for
/// scripts, and an exit code from <see cref="AdminClient"/>. Errors go to stderr, never mixed into JSON.
/// </summary>
internal static class AdminVerb
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(Uri server, string? token, bool json, Func<AdminClient, Task<(int Status, JsonElement Body)>> call, Action<JsonElement> print)
    {
        // The silo masks its own secrets; the token this verb holds is masked here, in case a message echoes it.
        var redactor = new Configuration.Redactor([token, .. Configuration.SecretValues.InValue(server.ToString())]);
        using var client = new AdminClient(server, token);
        (int Status, JsonElement Body) result;
        try
        {
            result = await call(client);
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync(redactor.Redact($"sentinel: cannot reach {server}: {e.Message}"));
            return AdminClient.Unreachable;
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            await Console.Error.WriteLineAsync(redactor.Redact($"sentinel: {server} did not answer in time."));
            return AdminClient.Unreachable;
        }

        if (result.Status >= 400)
        {
            var message = result.Body.ValueKind == JsonValueKind.Object && result.Body.TryGetProperty("message", out var m) ? m.GetString() : result.Body.ToString();
            await Console.Error.WriteLineAsync(redactor.Redact($"sentinel: {message}"));
            return AdminClient.ExitCode(result.Status);
        }

        if (json)
        {
            Console.WriteLine(redactor.Redact(JsonSerializer.Serialize(result.Body, Indented)));
        }
        else
        {
            if (Console.IsOutputRedirected)
            {
                // Piped or captured: do not wrap table cells at the default 80 columns.
                AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 240);
            }

            print(result.Body);
        }

        return 0;
    }

    /// <summary>Two GETs combined into one JSON object (<c>{first: ..., second: ...}</c>), failing with the first failure.</summary>
    public static async Task<(int Status, JsonElement Body)> GetBothAsync(AdminClient client, string firstName, string firstPath, string secondName, string secondPath, CancellationToken cancellationToken)
    {
        var first = await client.GetAsync(firstPath, cancellationToken);
        if (first.Status >= 400)
        {
            return first;
        }

        var second = await client.GetAsync(secondPath, cancellationToken);
        return second.Status >= 400
            ? second
            : (200, JsonSerializer.SerializeToElement(new Dictionary<string, JsonElement> { [firstName] = first.Body, [secondName] = second.Body }));
    }
}
