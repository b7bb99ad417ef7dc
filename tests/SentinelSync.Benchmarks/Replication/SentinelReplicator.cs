using System.Globalization;
using Npgsql;
using SentinelSync.Benchmarks.Kafka;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// SentinelSync as users run it: the real <c>sentinel run</c> process (the Release sentinel.dll copied next to
/// this benchmark) with a YAML configuration of one pipeline from the source database's <c>public.*</c> to one
/// Postgres sink, snapshot <c>initial</c>, everything else at its defaults; control database on the source cluster.
/// With <paramref name="kafka"/>, the same silo runs source → Kafka → destination instead (<see cref="BenchKafka"/>),
/// and pausing pauses the pipeline into Kafka, so the backlog waits in the slot as with the direct pipeline.
/// </summary>
internal sealed class SentinelReplicator(string sourceDatabase, string destinationDatabase, string controlDatabase, string pipeline, BenchKafka? kafka = null) : IReplicator
{
    private readonly int _port = SentinelProcess.FreePortPair();
    private SentinelProcess? _process;
    private string? _configFile;

    public string Name => kafka is null ? "sentinelsync" : "via-kafka";

    private string PausedPipeline => kafka is null ? pipeline : BenchKafka.OutboundPipeline;

    public int? ProcessId => _process is { HasExited: false } process ? process.ProcessId : null;

    public Uri Server => new($"http://127.0.0.1:{_port}/");

    /// <summary>The silo's log file (for the per-stage evidence in the report).</summary>
    public string? LogFile => _process?.LogFile;

    public async Task PrepareAsync()
    {
        await BenchPostgres.RecreateAsync(TestServers.Postgres, controlDatabase);
        _configFile = Path.Combine(Path.GetTempPath(), $"bench-{pipeline}.yaml");
        var header = string.Create(CultureInfo.InvariantCulture, $$"""
            controlDb: "{{Plain(TestServers.Postgres, controlDatabase)}}"
            silo: { name: bench-silo, httpPort: {{_port}}, siloPort: {{_port + 1}} }
            pipelines:

            """);
        if (kafka is not null)
        {
            await File.WriteAllTextAsync(_configFile, header + kafka.Pipelines(Plain(TestServers.Postgres, sourceDatabase), $"sentinel_{pipeline}", SinkConnection(destinationDatabase)));
            return;
        }

        await File.WriteAllTextAsync(_configFile, header + string.Create(CultureInfo.InvariantCulture, $$"""
              - name: {{pipeline}}
                source:
                  postgres:
                    connection: "{{Plain(TestServers.Postgres, sourceDatabase)}}"
                    publication: sentinel_{{pipeline}}
                    slot: sentinel_{{pipeline}}
                    tables: ["public.*"]
                    snapshot: initial
                sinks:
                  - name: dst
                    postgres: { connection: "{{SinkConnection(destinationDatabase)}}" }
            """));
    }

    public async Task StartAsync() =>
        _process = await SentinelProcess.StartAsync(_configFile ?? throw new InvalidOperationException("PrepareAsync first"), _port);

    public Task PauseAsync() => VerbAsync("pause", PausedPipeline);

    public Task ResumeAsync() => VerbAsync("resume", PausedPipeline);

    /// <summary>Via Kafka only: pauses the pipeline out of Kafka (<see cref="BenchKafka.InboundPipeline"/>).</summary>
    public Task PauseInboundAsync() => VerbAsync("pause", BenchKafka.InboundPipeline);

    /// <inheritdoc cref="PauseInboundAsync"/>
    public Task ResumeInboundAsync() => VerbAsync("resume", BenchKafka.InboundPipeline);

    /// <summary>Sum of <c>sentinel_sink_changes_applied_total</c> over all tables, from the silo's /metrics.</summary>
    public async Task<long> AppliedChangesAsync()
    {
        var metrics = await MetricsAsync();
        return (long)metrics.Split('\n')
            .Where(l => l.StartsWith("sentinel_sink_changes_applied_total{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public Task<string> MetricsAsync() => s_http.GetStringAsync(new Uri(Server, "metrics"));

    public async Task<(double? PeakRssMiB, double? CpuSeconds)> StopAsync()
    {
        if (_process is null)
        {
            return (null, null);
        }

        var pid = _process.ProcessId;
        var usage = (ResourceSampler.PeakRssMiB(pid), ResourceSampler.Ticks(pid) / 100.0);
        var exit = await _process.StopAsync(TimeSpan.FromMinutes(2));
        if (exit != 0)
        {
            throw new InvalidOperationException($"sentinel exited with {exit}; log {_process.LogFile}");
        }

        return usage;
    }

    private async Task VerbAsync(string verb, string pipelineName)
    {
        var (exit, output) = await SentinelProcess.RunVerbAsync(verb, pipelineName, "--server", Server.ToString());
        if (exit != 0)
        {
            throw new InvalidOperationException($"sentinel {verb} {pipelineName} exited with {exit}: {output}");
        }
    }

    /// <summary>
    /// Diagnostics only: <c>SENTINEL_BENCH_SINK_OPTIONS</c> (e.g. <c>-c synchronous_commit=off</c>) becomes the sink
    /// connection's Npgsql <c>Options</c>, to measure what a session setting costs. Not a setting to run with:
    /// without a synchronous commit the slot may be confirmed past what the destination has flushed.
    /// </summary>
    public const string SinkOptionsVariable = "SENTINEL_BENCH_SINK_OPTIONS";

    private static string SinkConnection(string database) =>
        YamlEscape(new NpgsqlConnectionStringBuilder(TestServers.PostgresDestination) { Database = database, Options = Environment.GetEnvironmentVariable(SinkOptionsVariable) }.ConnectionString);

    private static string Plain(string server, string database) => YamlEscape(new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString);

    /// <summary>The text of a double-quoted YAML scalar (Npgsql quotes values that contain spaces).</summary>
    private static string YamlEscape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (_configFile is not null)
        {
            File.Delete(_configFile);
        }
    }
}
