using SentinelSync.Diagnostics;

namespace SentinelSync.Tests.Diagnostics;

public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("sentinel.grain.calls", "{call}", "Counter", "sentinel_grain_calls_total")]
    [InlineData("sentinel.grain.call.duration", "s", "Histogram", "sentinel_grain_call_duration_seconds")]
    [InlineData("sentinel.grain.activations", "{activation}", "UpDownCounter", "sentinel_grain_activations")]
    [InlineData("sink.latency.seconds", "s", "Histogram", "sink_latency_seconds")]
    [InlineData("sink.written_total", "By", "Counter", "sink_written_bytes_total")]
    [InlineData("sink.bytes_total", "By", "Counter", "sink_bytes_total")]
    [InlineData("cpu.utilization", "1", "ObservableGauge", "cpu_utilization_ratio")]
    [InlineData("cpu.things", "1", "Counter", "cpu_things_total")]
    [InlineData("net.rate", "By/s", "Gauge", "net_rate_bytes_per_second")]
    [InlineData("events.rate", "{event}/s", "Gauge", "events_rate_per_second")]
    [InlineData("apply.time", "ms", "Histogram", "apply_time_milliseconds")]
    [InlineData("odd-name/x", "furlong", "Gauge", "odd_name_x_furlong")]
    [InlineData("9lives", null, "Gauge", "_9lives")]
    public void Metric_names_follow_the_Prometheus_conventions(string instrument, string? unit, string kind, string expected) =>
        PrometheusNaming.MetricName(instrument, unit, Enum.Parse<MetricKind>(kind)).ShouldBe(expected);

    [Theory]
    [InlineData("grain.type", "Counter", "grain_type")]
    [InlineData("1st", "Counter", "key_1st")]
    [InlineData("__name__", "Counter", "key__name__")]
    [InlineData("le", "Histogram", "key_le")]
    [InlineData("le", "Gauge", "le")]
    public void Label_names_follow_the_Prometheus_conventions(string tag, string kind, string expected) =>
        PrometheusNaming.LabelName(tag, Enum.Parse<MetricKind>(kind)).ShouldBe(expected);
}
