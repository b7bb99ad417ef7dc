using System.Text.Json;
using Npgsql;
using SentinelSync.Replication.DeadLetters;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Admin;
using SentinelSync.Configuration;

namespace SentinelSync.Hosting;

/// <summary>Builds the silo process: Kestrel on <c>silo.listen:silo.httpPort</c>, the silo, and the health endpoints.</summary>
internal static class SiloHost
{
    public static WebApplication Build(SentinelConfig config)
    {
        if (AdminAccess.Problem(config.Silo) is { } problem)
        {
            throw new InvalidOperationException($"silo.listen: {problem}");
        }

        var redactor = new Redactor(config);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{config.Silo.Listen}:{config.Silo.HttpPort}");
        builder.Logging.ClearProviders();
        builder.Logging.AddSentinelConsole(redactor);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(redactor);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(config.ControlDb!));
        builder.Services.AddSingleton(sp => new PipelineRegistry(config.Pipelines, sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(sp => new DeadLetterStore(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSentinelTelemetry(config);
        builder.Services.AddSingleton<SiloService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloService>());
        builder.Services.AddSentinelAdmin();

        var app = builder.Build();
        app.UseRedactedApi(redactor);
        app.UseAdminToken(config.Silo.Token);

        // Alive as soon as the process serves HTTP; ready once the silo runs (control database reached, schema migrated).
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (SiloService silo) => silo.IsReady ? Results.Text("ready") : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapSentinelMetrics();
        app.MapDeadLetters();
        app.MapAdmin();
        app.MapGet("/api/grains", async (SiloService silo) =>
        {
            var running = await silo.Silo;
            return Results.Json(new { silo = running.Name, grains = running.ActiveGrains.Select(g => g.ToString()).Order().ToList() });
        });
        // Gateway: any grain, through any silo (the admin client's `sentinel call`). Body: the arguments as a JSON array.
        app.MapPost("/api/grains/{type}/{key}/{method}", async (string type, string key, string method, HttpRequest request, SiloService silo) =>
        {
            var running = await silo.Silo;
            using var args = await JsonDocument.ParseAsync(request.Body);
            try
            {
                return Results.Json(new { result = await running.InvokeJsonAsync(type, key, method, args.RootElement) });
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
        return app;
    }
}
