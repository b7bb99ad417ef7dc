using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SentinelSync.Configuration;
using SentinelSync.Diagnostics;
using SentinelSync.Replication;

namespace SentinelSync.Tests.Diagnostics;

[Collection(TracingCollection.Name)]
public sealed class OtlpTracingTests
{
    private static Func<string, string?> Environment(string? endpoint) =>
        name => name == OtlpTracing.EndpointVariable ? endpoint : null;

    [Fact]
    public void Without_an_endpoint_nothing_is_exported()
    {
        OtlpTracing.ResolveEndpoint(new SentinelConfig(), Environment(null)).ShouldBeNull();
        OtlpTracing.ResolveEndpoint(null, Environment("  ")).ShouldBeNull();
    }

    [Fact]
    public void The_configuration_key_wins_over_the_environment_variable()
    {
        var config = new SentinelConfig { Telemetry = { OtlpEndpoint = "http://collector:4317" } };

        OtlpTracing.ResolveEndpoint(config, Environment("http://other:4317")).ShouldBe(new Uri("http://collector:4317"));
        OtlpTracing.ResolveEndpoint(new SentinelConfig(), Environment("http://other:4317")).ShouldBe(new Uri("http://other:4317"));
    }

    [Fact]
    public void A_malformed_endpoint_fails_naming_where_it_came_from()
    {
        var config = new SentinelConfig { Telemetry = { OtlpEndpoint = "collector:4317" } };

        Should.Throw<InvalidOperationException>(() => OtlpTracing.ResolveEndpoint(config, Environment(null))).Message.ShouldContain("telemetry.otlpEndpoint");
        Should.Throw<InvalidOperationException>(() => OtlpTracing.ResolveEndpoint(null, Environment("not a url"))).Message.ShouldContain(OtlpTracing.EndpointVariable);
    }

    [Fact]
    public async Task Without_an_endpoint_the_silo_has_no_tracer_provider_and_the_source_no_listener()
    {
        var host = Host.CreateApplicationBuilder();
        host.Services.AddSentinelTelemetry(new SentinelConfig());
        using var silo = host.Build();
        await silo.StartAsync();

        silo.Services.GetService<OpenTelemetry.Trace.TracerProvider>().ShouldBeNull();
        SentinelTracing.Source.HasListeners().ShouldBeFalse();
        await silo.StopAsync();
    }

    [Fact]
    public async Task Pipeline_spans_reach_an_OTLP_receiver()
    {
        var received = new TaskCompletionSource<(string Path, string? ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.TrySetResult((request.Path, request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        await receiver.StartAsync();
        var address = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var spanName = $"apply-batch-{Guid.NewGuid():N}";

        // Wired as the silo wires it; the providers start with the host and flush when it is disposed.
        var host = Host.CreateApplicationBuilder();
        host.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        host.Services.AddSentinelTelemetry(new SentinelConfig { Silo = { Name = "silo-under-test" }, Telemetry = { OtlpEndpoint = address } });
        using (var silo = host.Build())
        {
            await silo.StartAsync();
            using (var span = SentinelTracing.Source.StartActivity(spanName))
            {
                span.ShouldNotBeNull("a provider listens to the source");
                span.SetTag(SentinelTracing.PipelineAttribute, "orders");
            }

            await silo.StopAsync();
        }

        var (path, contentType, bytes) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var text = Encoding.UTF8.GetString(bytes);
        path.ShouldBe("/v1/traces");
        contentType.ShouldBe("application/x-protobuf");
        text.ShouldContain(spanName);
        text.ShouldContain("silo-under-test");
        text.ShouldContain(SentinelTracing.SourceName);
        await receiver.StopAsync();
    }
}
