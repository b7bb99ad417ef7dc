namespace SentinelSync.Testing;

/// <summary>Which sinks the pipeline of a <see cref="PipelineScenario"/> has.</summary>
[Flags]
public enum PipelineSinks
{
    /// <summary>Sink <see cref="PipelineScenario.SinkName"/> into <see cref="PipelineScenario.Destination"/>.</summary>
    Postgres = 1,

    /// <summary>Sink <see cref="PipelineScenario.ClickHouseSinkName"/> into <see cref="PipelineScenario.ClickHouse"/>.</summary>
    ClickHouse = 2,

    /// <summary>Sink <see cref="PipelineScenario.CassandraSinkName"/> into keyspace <see cref="PipelineScenario.CassandraKeyspace"/> of <see cref="TestServers.Cassandra"/>.</summary>
    Cassandra = 4,
}
