using System.Buffers;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SentinelSync.Runtime;

/// <summary>
/// The silo-to-silo endpoint: Kestrel, HTTP/2 only (prior knowledge, so no TLS needed), one route that runs
/// a grain call sent by another silo, and one that answers this silo's running activations counted by grain
/// type (the admin API's cluster view). A silo that is stopping no longer runs such calls itself but routes them
/// to the grains' new owners, so a graceful leave loses no call. Neither route is authenticated: the silo port
/// belongs on loopback or a private network, like the grain calls it carries.
/// </summary>
internal sealed class SiloEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SiloEndpoint(WebApplication app) => _app = app;

    public static async Task<(SiloEndpoint Endpoint, int Port)> StartAsync(Catalog catalog, ClusterOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.SiloPort, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapPost(RemoteGrainInvoker.Path, (HttpContext context) => HandleAsync(context, catalog));
        app.MapGet(RemoteGrainInvoker.ActivationsPath, (HttpContext context) => WriteActivationsAsync(context, catalog));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (new SiloEndpoint(app), new Uri(address).Port);
    }

    private static async Task HandleAsync(HttpContext context, Catalog catalog)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString()!;
        var key = root.GetProperty("key").GetString()!;
        var method = root.GetProperty("method").GetString()!;

        // Written to a buffer first: JsonSerializer flushes synchronously, which Kestrel's body stream refuses.
        var body = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        try
        {
            // Run here, unless this silo is leaving: then route by placement, which no longer includes this silo.
            var result = await catalog.InvokeJsonAsync(type, key, method, root.GetProperty("args"), runHere: !catalog.IsStopping).ConfigureAwait(false);
            writer.WriteBoolean("ok", true);
            writer.WritePropertyName("result");
            JsonSerializer.Serialize(writer, result, result?.GetType() ?? typeof(object), Catalog.Json);
        }
        catch (Exception e)
        {
            writer.WriteBoolean("ok", false);
            writer.WriteStartObject("error");
            writer.WriteString("type", e.GetType().FullName);
            writer.WriteString("message", e.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.Flush();
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteActivationsAsync(HttpContext context, Catalog catalog)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("silo", catalog.SiloName);
            writer.WriteStartObject("grains");
            foreach (var (type, count) in catalog.ActivationsByType())
            {
                writer.WriteNumber(type, count);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Graceful: lets in-flight requests finish.</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <summary>Abrupt (tests): connections are cut.</summary>
    public async Task KillAsync()
    {
        using var expired = new CancellationTokenSource();
        await expired.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(expired.Token).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
