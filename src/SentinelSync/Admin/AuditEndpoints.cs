using System.Globalization;

namespace SentinelSync.Admin;

/// <summary><c>GET /api/audit?since=&amp;limit=</c>: the audit trail, newest first (any token may read it).</summary>
internal static class AuditEndpoints
{
    private const int DefaultLimit = 100;

    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", async (string? since, int? limit, AuditLog audit, CancellationToken cancellationToken) =>
        {
            var from = DateTimeOffset.MinValue;
            if (since is not null && !DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out from))
            {
                return Results.Json(new { error = "BadRequest", message = $"since: '{since}' is not a timestamp (ISO 8601, e.g. 2026-11-30T08:00:00Z)." }, statusCode: StatusCodes.Status400BadRequest);
            }

            if (limit is < 1)
            {
                return Results.Json(new { error = "BadRequest", message = $"limit: must be at least 1, not {limit}." }, statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Json(await audit.ListAsync(from, limit ?? DefaultLimit, cancellationToken));
        });
    }
}
