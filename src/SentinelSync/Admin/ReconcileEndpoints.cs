using System.Text.Json;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Reconcile;

namespace SentinelSync.Admin;

/// <summary>
/// Reconcile runs: <c>POST /api/pipelines/{name}/reconcile</c> starts one (on the pipeline's reconcile grain,
/// wherever it lives), <c>GET /api/reconcile/{id}</c> and <c>GET /api/reconcile?pipeline=</c> read them from the
/// control database, so any silo answers.
/// </summary>
internal static class ReconcileEndpoints
{
    private const int ListLimit = 20;

    public static void MapReconcile(this WebApplication app)
    {
        app.MapPost("/api/pipelines/{name}/reconcile", async (string name, ReconcileBody? body, IGrainFactory grains, PipelineRegistry pipelines) =>
        {
            if (pipelines.Pipelines.All(p => p.Name != name))
            {
                return Results.Json(new { error = "NotFound", message = $"No pipeline '{name}' in this silo's configuration." }, statusCode: StatusCodes.Status404NotFound);
            }

            body ??= new ReconcileBody();
            if (!Enum.TryParse<ReconcileMode>(body.Mode ?? "checksum", ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(body.Mode, out _))
            {
                return Results.Json(new { error = "BadRequest", message = $"mode '{body.Mode}' is not one of count, checksum, rows." }, statusCode: StatusCodes.Status400BadRequest);
            }

            var request = new ReconcileRequest(body.Tables ?? [], string.IsNullOrEmpty(body.Sink) ? null : body.Sink, mode, body.Repair);
            if (request.Problem() is { } problem)
            {
                return Results.Json(new { error = "BadRequest", message = problem }, statusCode: StatusCodes.Status400BadRequest);
            }

            try
            {
                return Results.Json(await grains.GetGrain<IReconcileGrain>(name).StartAsync(request), statusCode: StatusCodes.Status202Accepted);
            }
            catch (ReconcileException e)
            {
                return Results.Json(new { error = "Conflict", message = e.Message }, statusCode: StatusCodes.Status409Conflict);
            }
        });

        app.MapGet("/api/reconcile/{id}", async (string id, ReconcileStore store, CancellationToken cancellationToken) =>
            await store.GetAsync(id, cancellationToken) is { } run
                ? Results.Text(run, "application/json")
                : Results.Json(new { error = "NotFound", message = $"No reconcile run '{id}'." }, statusCode: StatusCodes.Status404NotFound));

        app.MapGet("/api/reconcile", async (string? pipeline, ReconcileStore store, CancellationToken cancellationToken) =>
            Results.Text(await store.ListAsync(string.IsNullOrEmpty(pipeline) ? null : pipeline, ListLimit, cancellationToken), "application/json"));
    }

    /// <summary>The body of <c>POST /api/pipelines/{name}/reconcile</c>; every field optional.</summary>
    internal sealed class ReconcileBody
    {
        public string[]? Tables { get; set; }

        public string? Sink { get; set; }

        public string? Mode { get; set; }

        public bool Repair { get; set; }
    }
}
