using Npgsql;
using SentinelSync.Hosting;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Runtime;

namespace SentinelSync.Admin;

/// <summary>
/// The admin API beyond grains and dead letters: the cluster, the pipelines, pause and resume, the OpenAPI
/// description and the dashboard page. Every silo serves it; pipeline calls go to the source grain wherever
/// it lives.
/// </summary>
internal static class AdminEndpoints
{
    public static void MapAdmin(this WebApplication app)
    {
        app.MapGet("/api/cluster", async (SiloService silo, NpgsqlDataSource controlDb, CancellationToken cancellationToken) =>
        {
            var running = await silo.Silo;
            var snapshot = await new PostgresMembershipTable(controlDb).ReadAllAsync(cancellationToken);
            var grains = running.ActiveGrains.GroupBy(g => g.Type).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
            var silos = snapshot.Rows.Select(r => new SiloReport(
                r.Entry.Name,
                r.Entry.Address,
                r.Entry.Status.ToString(),
                r.Entry.StartedAt,
                r.Entry.LastHeartbeat,
                r.Entry.Suspicions.Count,
                r.Entry.Name == running.Name,
                r.Entry.Name == running.Name ? grains : null)).ToList();
            return Results.Json(new ClusterReport(running.Name, running.ClusterView, running.ActivationCount, silos));
        });

        app.MapGet("/api/pipelines", async (PipelineMonitor monitor, CancellationToken cancellationToken) =>
            Results.Json(await monitor.ReportAsync(cancellationToken)));

        app.MapPost("/api/pipelines/{name}/pause", (string name, SiloService silo, PipelineRegistry pipelines) =>
            CallSourceAsync(name, silo, pipelines, source => source.PauseAsync()));

        app.MapPost("/api/pipelines/{name}/resume", (string name, SiloService silo, PipelineRegistry pipelines) =>
            CallSourceAsync(name, silo, pipelines, source => source.ResumeAsync()));

        app.MapGet("/openapi.json", () => Results.Stream(Resource("openapi.json"), "application/json"));

        app.MapGet("/dashboard", () => Results.Stream(Resource("dashboard.html"), "text/html; charset=utf-8"));
    }

    private static async Task<IResult> CallSourceAsync(string name, SiloService silo, PipelineRegistry pipelines, Func<ISourceGrain, Task> call)
    {
        if (pipelines.Pipelines.All(p => p.Name != name))
        {
            return Results.Json(new { error = "NotFound", message = $"No pipeline '{name}' in this silo's configuration." }, statusCode: StatusCodes.Status404NotFound);
        }

        var running = await silo.Silo;
        var source = running.GrainFactory.GetGrain<ISourceGrain>(name);
        await call(source);
        var status = await source.GetStatusAsync();
        return Results.Json(new { pipeline = name, phase = status.Phase });
    }

    private static Stream Resource(string name) =>
        typeof(AdminEndpoints).Assembly.GetManifestResourceStream($"SentinelSync.Admin.{name}")
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing from the build.");
}
