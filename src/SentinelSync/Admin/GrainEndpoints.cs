using System.Text.Json;
using Orleans.Runtime;
using SentinelSync.Configuration;

namespace SentinelSync.Admin;

/// <summary>
/// <c>GET /api/grains</c> (every silo's activations, by grain id) and the gateway
/// <c>POST /api/grains/{type}/{key}/{method}</c> (any grain, through any silo: <c>sentinel call</c>).
/// </summary>
internal static class GrainEndpoints
{
    public static void MapGrains(this WebApplication app)
    {
        app.MapGet("/api/grains", async (IGrainFactory grains, ILocalSiloDetails self, Redactor redactor, CancellationToken cancellationToken) =>
        {
            var silos = await ClusterReports.SilosAsync(grains, self, cancellationToken);
            return Results.Json(new
            {
                silo = self.Name,
                grains = silos.FirstOrDefault(s => s.Self)?.Grains?.Select(g => g.ToString()) ?? [],
                silos = silos.Select(s => new { name = s.Entry.SiloName, status = s.Entry.Status.ToString(), grains = s.Grains?.Select(g => g.ToString()), error = redactor.Redact(s.Error) }),
            });
        });

        // Body: the arguments as a JSON array.
        app.MapPost("/api/grains/{type}/{key}/{method}", async (string type, string key, string method, HttpRequest request, IGrainFactory grains) =>
        {
            using var args = await JsonDocument.ParseAsync(request.Body);
            try
            {
                return Results.Json(new { result = await GrainCalls.InvokeAsync(grains, type, key, method, args.RootElement) });
            }
            catch (Exception e) when (e is KeyNotFoundException or MissingMethodException or ArgumentException)
            {
                return Results.Json(new { error = e.GetType().Name, message = e.Message }, statusCode: StatusCodes.Status400BadRequest);
            }
            catch (Exception e)
            {
                return Results.Json(new { error = e.GetType().FullName, message = e.Message }, statusCode: StatusCodes.Status500InternalServerError);
            }
        });
    }
}
