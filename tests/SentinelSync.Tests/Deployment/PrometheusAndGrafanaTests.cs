using System.Text.Json;
using SentinelSync.Testing.Deployment;
using YamlDotNet.Serialization;

namespace SentinelSync.Tests.Deployment;

/// <summary>
/// The alert rules (deploy/prometheus/alerts.yml and the PrometheusRule made from it) through promtool, with their
/// unit tests, and the Grafana dashboard's queries, checked by promtool as well.
/// </summary>
public sealed class PrometheusAndGrafanaTests
{
    [Fact]
    public async Task The_alert_rules_pass_promtool_and_their_unit_tests()
    {
        var check = await Tool.RunAsync("promtool", ["check", "rules", "deploy/prometheus/alerts.yml"]);
        check.ExitCode.ShouldBe(0, check.ToString());
        check.Output.ShouldContain("SUCCESS: 17 rules found");

        var unitTests = await Tool.RunAsync("promtool", ["test", "rules", "deploy/prometheus/alerts.test.yml"]);
        unitTests.ExitCode.ShouldBe(0, unitTests.ToString());

        var config = await Tool.RunAsync("promtool", ["check", "config", "deploy/prometheus/prometheus.yml"]);
        config.ExitCode.ShouldBe(0, config.ToString());
    }

    [Fact]
    public void Every_rule_names_its_severity_and_carries_a_runbook_line_and_the_PrometheusRule_holds_the_same_groups()
    {
        var plain = Yaml(RepositoryFiles.Read("deploy/prometheus/alerts.yml"));
        var rules = Groups(plain).SelectMany(g => (List<object>)g["rules"]).Cast<Dictionary<object, object>>().ToList();

        rules.Select(r => (string)r["alert"]).ShouldBe(
            ["SentinelPipelineLagHigh", "SentinelPipelineLagCritical", "SentinelSlotWalRetainedHigh", "SentinelSlotWalRetainedCritical", "SentinelPipelineFailed",
             "SentinelPipelineStartFailures", "SentinelPipelinePausedLong", "SentinelTableStopped", "SentinelTableBlockedAtSink", "SentinelSnapshotStuck",
             "SentinelDeadLettersGrowing", "SentinelDeadLettersPending", "SentinelKafkaPartitionFailing", "SentinelKafkaMessagesSkipped", "SentinelSiloDown",
             "SentinelReconcileDrift", "SentinelReconcileStale"],
            ignoreOrder: true);
        foreach (var rule in rules)
        {
            ((Dictionary<object, object>)rule["labels"])["severity"].ShouldBeOneOf("info", "warning", "critical");
            ((string)((Dictionary<object, object>)rule["annotations"])["runbook"]).Length.ShouldBeGreaterThan(40, (string)rule["alert"]);
        }

        var operatorRule = Yaml(RepositoryFiles.Read("k8s/monitoring/prometheusrule.yaml"));
        var spec = (Dictionary<object, object>)operatorRule["spec"];
        JsonSerializer.Serialize(spec["groups"]).ShouldBe(JsonSerializer.Serialize(plain["groups"]), "run eng/make-prometheusrule.sh after changing alerts.yml");
    }

    [Fact]
    public async Task Every_dashboard_query_is_valid_PromQL_and_uses_the_data_source_variable()
    {
        using var dashboard = JsonDocument.Parse(RepositoryFiles.Read("deploy/grafana/dashboards/sentinelsync.json"));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        var queries = panels.SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();

        queries.Count.ShouldBeGreaterThan(15);
        panels.Where(p => p.GetProperty("type").GetString() != "alertlist").ShouldAllBe(p => p.GetProperty("datasource").GetProperty("uid").GetString() == "${datasource}");

        // promtool checks expressions inside rule files: each query becomes a recording rule, Grafana's variables
        // replaced by values of their kind.
        var file = Path.Combine(Path.GetTempPath(), $"dashboard-queries-{Guid.NewGuid():N}.yml");
        var recorded = string.Join("\n", queries.Select((q, i) => $"      - record: dashboard:query{i}\n        expr: {JsonSerializer.Serialize(q.Replace("$__rate_interval", "1m", StringComparison.Ordinal))}"));
        await File.WriteAllTextAsync(file, $"groups:\n  - name: dashboard\n    rules:\n{recorded}\n");
        try
        {
            var check = await Tool.RunAsync("promtool", ["check", "rules", file]);
            check.ExitCode.ShouldBe(0, check.ToString());
            check.Output.ShouldContain($"SUCCESS: {queries.Count} rules found");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Dictionary<object, object> Yaml(string text) => new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(text);

    private static IEnumerable<Dictionary<object, object>> Groups(Dictionary<object, object> file) => ((List<object>)file["groups"]).Cast<Dictionary<object, object>>();
}
