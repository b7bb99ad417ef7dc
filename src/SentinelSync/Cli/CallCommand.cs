using System.CommandLine;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel call TYPE KEY METHOD [ARGS]</c>: calls any grain method through any silo's gateway and prints
/// the JSON result. Exit codes: 0 success, 1 the grain threw, 2 bad request (unknown grain type, method or
/// arguments), 3 the silo could not be reached, 4 the token was refused.
/// </summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var type = new Argument<string>("type") { Description = "Grain type, e.g. Tally." };
        var key = new Argument<string>("key") { Description = "Grain key." };
        var method = new Argument<string>("method") { Description = "Method name, e.g. GetAsync." };
        var args = new Argument<string>("args") { Description = "Arguments as a JSON array.", DefaultValueFactory = _ => "[]" };
        var server = ServerOption.Create();
        var token = TokenOption.Create();
        var command = new Command("call", "Call a grain method through a silo.") { type, key, method, args, server, token };
        command.SetAction(async (parse, cancellation) =>
        {
            var path = $"api/grains/{Uri.EscapeDataString(parse.GetValue(type)!)}/{Uri.EscapeDataString(parse.GetValue(key)!)}/{Uri.EscapeDataString(parse.GetValue(method)!)}";
            using var http = new HttpClient { BaseAddress = parse.GetValue(server) };
            if (parse.GetValue(token) is { Length: > 0 } bearer)
            {
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync(path, new StringContent(parse.GetValue(args)!, Encoding.UTF8, "application/json"), cancellation);
            }
            catch (HttpRequestException e)
            {
                await Console.Error.WriteLineAsync($"sentinel call: cannot reach {http.BaseAddress}: {e.Message}");
                return 3;
            }

            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                await Console.Error.WriteLineAsync($"sentinel call: {http.BaseAddress} refused the request: pass its token with --token or SENTINEL_TOKEN.");
                return AdminClient.Unauthorized;
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellation);
            if (response.IsSuccessStatusCode)
            {
                Console.WriteLine(body.GetProperty("result").GetRawText());
                return 0;
            }

            await Console.Error.WriteLineAsync($"sentinel call: {body.GetProperty("error").GetString()}: {body.GetProperty("message").GetString()}");
            return (int)response.StatusCode == 400 ? 2 : 1;
        });
        return command;
    }
}
