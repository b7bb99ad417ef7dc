using SentinelSync.Replication.Erasure;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Admin;

/// <summary>
/// <c>POST /api/pipelines/{name}/tables/{table}/erase</c> (operator): erases one row at every sink of the pipeline and
/// its dead letters (<see cref="Eraser"/>). Body: <c>{"key": {"id": "5", "region": "eu"}}</c>, or <c>{"value": "5"}</c>
/// for a table keyed by one column, and an optional <c>"reason"</c> (a ticket reference) for the audit trail, which
/// records the call with the key's values masked. 200 with the report when every sink erased the row, 502 with the
/// report when one could not (the others did), 400 for a request that does not fit the table (nothing erased).
/// </summary>
internal static class ErasureEndpoints
{
    public static void MapErasure(this WebApplication app)
    {
        app.MapPost("/api/pipelines/{name}/tables/{table}/erase", async (string name, string table, EraseBody? body, PipelineRegistry pipelines, Eraser eraser, CancellationToken cancellationToken) =>
        {
            if (pipelines.Pipelines.All(p => p.Name != name))
            {
                return Results.Json(new { error = "NotFound", message = $"No pipeline '{name}' in this silo's configuration." }, statusCode: StatusCodes.Status404NotFound);
            }

            List<ErasureKeyPart> key = body?.Value is { } value && body.Key is null
                ? [new ErasureKeyPart(null, value)]
                : [.. (body?.Key ?? []).Select(k => new ErasureKeyPart(k.Key, k.Value))];
            if (key.Count == 0 || (body?.Value is not null && body.Key is not null))
            {
                return Results.Json(new { error = "BadRequest", message = "Give the row's key: {\"key\": {\"column\": \"value\", ...}}, or {\"value\": \"...\"} for a table keyed by one column." }, statusCode: StatusCodes.Status400BadRequest);
            }

            try
            {
                var report = await eraser.EraseAsync(name, table, key, cancellationToken);
                return report.Done
                    ? Results.Json(report)
                    : Results.Json(new { error = "Incomplete", message = Incomplete(report), report }, statusCode: StatusCodes.Status502BadGateway);
            }
            catch (ErasureRejectedException e)
            {
                return Results.Json(new { error = "BadRequest", message = e.Message }, statusCode: StatusCodes.Status400BadRequest);
            }
            catch (Npgsql.NpgsqlException e)
            {
                // The key is checked against the source before anything is erased: without the source, nothing is.
                return Results.Json(new { error = "Unavailable", message = $"the source of pipeline '{name}' cannot be read to check the key, so nothing was erased: {e.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }

    /// <summary>Which sinks did not erase, without their errors' text (a destination's message may quote the key; the report has it).</summary>
    private static string Incomplete(ErasureReport report) =>
        $"the row of {report.Table} was not erased at sink(s) {string.Join(", ", report.Sinks.Where(s => !s.Done).Select(s => $"'{s.Sink}' ({s.Destination})"))}; " +
        $"erased at {(report.Sinks.Any(s => s.Done) ? string.Join(", ", report.Sinks.Where(s => s.Done).Select(s => $"'{s.Sink}'")) : "none")}. Run it again once fixed (erasing is idempotent).";

    internal sealed class EraseBody
    {
        public Dictionary<string, string>? Key { get; set; }

        public string? Value { get; set; }

        public string? Reason { get; set; }
    }
}
