using Npgsql;
using SentinelSync.Configuration;

namespace SentinelSync.Hosting;

/// <summary>Builds the silo process: Kestrel on <c>silo.listen:silo.httpPort</c>, the silo, and the health endpoints.</summary>
internal static class SiloHost
{
    public static WebApplication Build(SentinelConfig config)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{config.Silo.Listen}:{config.Silo.HttpPort}");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(config.ControlDb!));
        builder.Services.AddSingleton<SiloService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloService>());

        var app = builder.Build();

        // Alive as soon as the process serves HTTP; ready once the silo runs (control database reached, schema migrated).
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (SiloService silo) => silo.IsReady ? Results.Text("ready") : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/api/grains", async (SiloService silo) =>
        {
            var running = await silo.Silo;
            return Results.Json(new { silo = running.Name, grains = running.ActiveGrains.Select(g => g.ToString()).Order().ToList() });
        });
        return app;
    }
}
