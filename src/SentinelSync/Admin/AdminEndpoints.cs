using SentinelSync.Configuration;
using SentinelSync.Hosting;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Resync;
using Orleans.Runtime;

namespace SentinelSync.Admin;

/// <summary>
/// The admin API beyond grains and dead letters: the cluster, the pipelines, pause, resume and table resyncs, the OpenAPI
/// description and the dashboard page. Every silo serves it; pipeline calls go to the source grain wherever
/// it lives.
/// </summary>
internal static class AdminEndpoints
{
    public static void MapAdmin(this WebApplication app)
    {
        app.MapGet("/api/cluster", async (IGrainFactory grains, ILocalSiloDetails self, Redactor redactor, CancellationToken cancellationToken) =>
            Results.Json(await ClusterReports.ReportAsync(grains, self, redactor, cancellationToken)));

        app.MapGet("/api/pipelines", async (PipelineMonitor monitor, CancellationToken cancellationToken) =>
            Results.Json(await monitor.ReportAsync(cancellationToken)));

        app.MapPost("/api/pipelines/{name}/pause", (string name, IGrainFactory grains, PipelineRegistry pipelines) =>
            CallSourceAsync(name, grains, pipelines, source => source.PauseAsync()));

        app.MapPost("/api/pipelines/{name}/resume", (string name, IGrainFactory grains, PipelineRegistry pipelines) =>
            CallSourceAsync(name, grains, pipelines, source => source.ResumeAsync()));

        app.MapPost("/api/pipelines/{name}/tables/{table}/resync", async (string name, string table, IGrainFactory grains, PipelineRegistry pipelines) =>
        {
            if (await SourceOf(name, grains, pipelines) is not { } source)
            {
                return UnknownPipeline(name);
            }

            try
            {
                return Results.Json(await source.ResyncAsync(table), statusCode: StatusCodes.Status202Accepted);
            }
            catch (ResyncRejectedException e)
            {
                return Results.Json(new { error = "Conflict", message = e.Message }, statusCode: StatusCodes.Status409Conflict);
            }
        });

        app.MapGet("/api/pipelines/{name}/resyncs", async (string name, IGrainFactory grains, PipelineRegistry pipelines) =>
            await SourceOf(name, grains, pipelines) is { } source ? Results.Json(await source.GetResyncsAsync()) : UnknownPipeline(name));

        app.MapGet("/api/pipelines/{name}/tables/{table}/resync", async (string name, string table, IGrainFactory grains, PipelineRegistry pipelines) =>
        {
            if (await SourceOf(name, grains, pipelines) is not { } source)
            {
                return UnknownPipeline(name);
            }

            var latest = (await source.GetResyncsAsync()).FirstOrDefault(r => r.Table == table || r.Table == $"public.{table}");
            return latest is null
                ? Results.Json(new { error = "NotFound", message = $"No resync of {table} since pipeline '{name}' last started." }, statusCode: StatusCodes.Status404NotFound)
                : Results.Json(latest);
        });

        app.MapGet("/openapi.json", () => Results.Stream(Resource("openapi.json"), "application/json"));

        app.MapGet("/dashboard", () => Results.Stream(Resource("dashboard.html"), "text/html; charset=utf-8"));
    }

    private static async Task<IResult> CallSourceAsync(string name, IGrainFactory grains, PipelineRegistry pipelines, Func<ISourceGrain, Task> call)
    {
        if (await SourceOf(name, grains, pipelines) is not { } source)
        {
            return UnknownPipeline(name);
        }

        await call(source);
        var status = await source.GetStatusAsync();
        return Results.Json(new { pipeline = name, phase = status.Phase });
    }

    private static Task<ISourceGrain?> SourceOf(string name, IGrainFactory grains, PipelineRegistry pipelines) =>
        Task.FromResult(pipelines.Pipelines.Any(p => p.Name == name) ? grains.GetGrain<ISourceGrain>(name) : null);

    private static IResult UnknownPipeline(string name) =>
        Results.Json(new { error = "NotFound", message = $"No pipeline '{name}' in this silo's configuration." }, statusCode: StatusCodes.Status404NotFound);

    private static Stream Resource(string name) =>
        typeof(AdminEndpoints).Assembly.GetManifestResourceStream($"SentinelSync.Admin.{name}")
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing from the build.");
}
