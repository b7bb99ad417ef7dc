using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Reconcile;

/// <summary>Starts reconcile runs through the REST API and follows them to their end.</summary>
internal static class ReconcileApi
{
    public static async Task<JsonElement> RunAsync(PipelineScenario scenario, object body, TimeSpan? within = null)
    {
        using var http = new HttpClient { BaseAddress = scenario.Server };
        var response = await http.PostAsJsonAsync($"api/pipelines/{PipelineScenario.Pipeline}/reconcile", body);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>();
        ((int)response.StatusCode).ShouldBe(202, started.ToString());
        var id = started.GetProperty("id").GetString()!;
        JsonElement run = default;
        await Eventually.WaitAsync(
            async () =>
            {
                run = await http.GetFromJsonAsync<JsonElement>($"api/reconcile/{id}");
                return run.GetProperty("status").GetString() != "running";
            },
            within ?? TimeSpan.FromMinutes(5),
            () => $"reconcile {id} to end; last: {run}");
        return run;
    }

    public static JsonElement Table(JsonElement run, string table, string sink = PipelineScenario.SinkName) =>
        run.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == table && t.GetProperty("sink").GetString() == sink);

    /// <summary>The reported keys of one kind, each as its key values joined by '|', sorted.</summary>
    public static List<string> Keys(JsonElement table, string kind) =>
        [.. table.GetProperty("keys").EnumerateArray()
            .Where(k => k.GetProperty("kind").GetString() == kind)
            .Select(k => string.Join('|', k.GetProperty("key").EnumerateArray().Select(v => v.GetString())))
            .Order(StringComparer.Ordinal)];
}
