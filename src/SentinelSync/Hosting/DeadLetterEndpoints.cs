using SentinelSync.Replication;
using SentinelSync.Replication.DeadLetters;
using SentinelSync.Replication.Grains;

namespace SentinelSync.Hosting;

/// <summary>
/// The dead-letter queue over HTTP (used by <c>sentinel dlq</c>): list with filters, show one, replay (through
/// the sink grain that owns the table, so replay and normal flow never interleave), discard.
/// </summary>
internal static class DeadLetterEndpoints
{
    public static void MapDeadLetters(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dlq", async (string? pipeline, string? sink, string? table, string? status, int? limit, DeadLetterStore store, CancellationToken cancellationToken) =>
            Results.Json(await store.ListAsync(new DeadLetterFilter(pipeline, sink, table, status == "all" ? null : status ?? "pending", limit ?? 100), cancellationToken)));

        app.MapGet("/api/dlq/{id:long}", async (long id, DeadLetterStore store, CancellationToken cancellationToken) =>
            await store.GetAsync(id, cancellationToken) is { } letter ? Results.Json(letter) : Results.NotFound(new { error = "NotFound", message = $"No dead letter {id}." }));

        app.MapPost("/api/dlq/replay", async (ReplayRequest request, DeadLetterStore store, IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            var pending = await store.ListAsync(new DeadLetterFilter(request.Pipeline, request.Sink, request.Table, "pending", int.MaxValue), cancellationToken);
            var selected = pending.Where(l => request.Ids is not { Length: > 0 } ids || ids.Contains(l.Id)).ToList();
            var replayed = 0;
            try
            {
                foreach (var group in selected.GroupBy(l => (l.Pipeline, l.Sink, l.SourceTable)))
                {
                    var table = group.First().Change.Schema.Table;
                    var grain = grains.GetGrain<ISinkGrain>(GrainKeys.Sink(group.Key.Pipeline, group.Key.Sink, table));
                    replayed += await grain.ReplayDeadLettersAsync([.. group.Select(l => l.Id)]);
                }
            }
            catch (Exception e)
            {
                return Results.Json(new { replayed, error = e.GetType().Name, message = e.Message }, statusCode: StatusCodes.Status409Conflict);
            }

            return Results.Json(new { replayed, selected = selected.Count });
        });

        app.MapPost("/api/dlq/discard", async (DiscardRequest request, DeadLetterStore store, CancellationToken cancellationToken) =>
            Results.Json(new { discarded = await store.ResolveAsync(request.Ids, "discarded", cancellationToken) }));
    }

    internal sealed record ReplayRequest(string? Pipeline, string? Sink, string? Table, long[]? Ids);

    internal sealed record DiscardRequest(long[] Ids);
}
