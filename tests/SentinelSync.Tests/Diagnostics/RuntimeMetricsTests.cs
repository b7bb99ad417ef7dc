using SentinelSync.Diagnostics;
using SentinelSync.Tests.Runtime;

namespace SentinelSync.Tests.Diagnostics;

public sealed class RuntimeMetricsTests
{
    [Fact]
    public async Task The_runtime_instruments_appear_after_grain_calls_on_an_in_memory_silo()
    {
        // Before the silo, as the host does: the activations up-down counter needs every increment.
        using var exporter = new PrometheusExporter();
        var silo = await SiloTestHost.StartAsync(new TurnRecorder());
        try
        {
            await silo.GrainFactory.GetGrain<IMetricsProbeGrain>("a").PingAsync();
            await silo.GrainFactory.GetGrain<IMetricsProbeGrain>("a").PingAsync();
            await silo.GrainFactory.GetGrain<IMetricsProbeGrain>("b").PingAsync();

            var parsed = ExpositionParser.Parse(exporter.Scrape());

            parsed.Family("sentinel_grain_calls_total").Type.ShouldBe("counter");
            parsed.Value("sentinel_grain_calls_total", ("grain_type", "MetricsProbe"), ("method", "PingAsync")).ShouldBe(3);
            parsed.Family("sentinel_grain_call_duration_seconds").Type.ShouldBe("histogram");
            parsed.Value("sentinel_grain_call_duration_seconds_count", ("grain_type", "MetricsProbe")).ShouldBe(3);
            parsed.Value("sentinel_grain_call_duration_seconds_bucket", ("grain_type", "MetricsProbe"), ("le", "+Inf")).ShouldBe(3);
            parsed.Family("sentinel_grain_activations").Type.ShouldBe("gauge");
            parsed.Value("sentinel_grain_activations", ("grain_type", "MetricsProbe")).ShouldBe(2);
            parsed.Family("sentinel_grain_queue_length").Type.ShouldBe("gauge");
            parsed.Value("sentinel_grain_queue_length").ShouldBeGreaterThanOrEqualTo(0);
        }
        finally
        {
            await silo.StopAsync();
        }

        ExpositionParser.Parse(exporter.Scrape()).Value("sentinel_grain_activations", ("grain_type", "MetricsProbe"))
            .ShouldBe(0, "a graceful stop deactivates every grain");
    }
}
