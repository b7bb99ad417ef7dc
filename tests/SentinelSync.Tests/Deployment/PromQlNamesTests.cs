using SentinelSync.Testing.Deployment;

namespace SentinelSync.Tests.Deployment;

public sealed class PromQlNamesTests
{
    [Theory]
    [InlineData("max by (pipeline) (sentinel_pipeline_lag_seconds) > 300", "sentinel_pipeline_lag_seconds")]
    [InlineData("histogram_quantile(0.95, sum by (sink, le) (rate(sentinel_sink_apply_duration_seconds_bucket[$__rate_interval])))", "sentinel_sink_apply_duration_seconds_bucket")]
    [InlineData("up{job=~\".*sentinel.*\"} == 0", "up")]
    [InlineData("a_total unless a_total offset 15m", "a_total")]
    [InlineData("max by (pipeline) (x{phase=\"snapshot\"}) == 1 unless on (pipeline) sum by (pipeline) (rate(y_total[10m])) > 0", "x", "y_total")]
    [InlineData("time() - last_success_seconds > 2 * 86400", "last_success_seconds")]
    [InlineData("sum(rate(a[5m])) / sum(rate(b[5m])) > 1e3", "a", "b")]
    public void The_metric_names_of_an_expression_are_found_and_nothing_else(string expression, params string[] expected) =>
        PromQlNames.In(expression).ShouldBe(expected, ignoreOrder: true);
}
