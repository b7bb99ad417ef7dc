using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.ClickHouse;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Masking;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// The pipelines this silo knows (from its configuration file: every silo of a cluster is given the same
/// ones) and the sink connectors they use, created once and shared by the grains of a pipeline.
/// <paramref name="control"/> is the control database, where sinks without transactions of their own (ClickHouse)
/// keep their offsets; the registry does not dispose it. <paramref name="masking"/> holds the salt and keys the
/// sinks' transforms mask with.
/// </summary>
public sealed class PipelineRegistry(IEnumerable<PipelineConfig> pipelines, NpgsqlDataSource control, ILoggerFactory? loggerFactory = null, MaskingOptions? masking = null) : IAsyncDisposable
{
    private readonly Dictionary<string, PipelineConfig> _pipelines = pipelines.ToDictionary(p => p.Name!, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Pipeline, string Sink), Lazy<ISink>> _sinks = new();
    private readonly ConcurrentDictionary<(string Pipeline, string Sink), SinkTransforms> _transforms = new();
    private readonly ConcurrentDictionary<(string Pipeline, string Sink), Lazy<SinkApplyGroup?>> _groups = new();
    private readonly MaskingOptions _masking = masking ?? new MaskingOptions();
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;

    public IReadOnlyCollection<PipelineConfig> Pipelines => _pipelines.Values;

    public ILoggerFactory LoggerFactory => _loggerFactory;

    public PipelineConfig Get(string pipeline) =>
        _pipelines.TryGetValue(pipeline, out var config)
            ? config
            : throw new KeyNotFoundException($"Pipeline '{pipeline}' is not in this silo's configuration.");

    public SinkConfig GetSink(string pipeline, string sink) =>
        Get(pipeline).Sinks.FirstOrDefault(s => s.Name == sink)
            ?? throw new KeyNotFoundException($"Pipeline '{pipeline}' has no sink '{sink}'.");

    /// <summary>The connector of one sink of one pipeline, shared by all its tables.</summary>
    public ISink Sink(string pipeline, string sink) =>
        _sinks.GetOrAdd((pipeline, sink), key => new Lazy<ISink>(() => Create(Get(key.Pipeline), GetSink(key.Pipeline, key.Sink)))).Value;

    /// <summary>
    /// The group commit of one sink of one pipeline on this silo (<see cref="SinkApplyGroup"/>), shared by its tables'
    /// sink grains; null when the sink cannot apply several tables in one transaction.
    /// </summary>
    internal SinkApplyGroup? ApplyGroup(string pipeline, string sink) =>
        _groups.GetOrAdd((pipeline, sink), key => new Lazy<SinkApplyGroup?>(() => Sink(key.Pipeline, key.Sink) is IMultiStreamSink multi
            ? new SinkApplyGroup(multi, key.Pipeline, key.Sink, _loggerFactory.CreateLogger<SinkApplyGroup>())
            : null)).Value;

    /// <summary>The transform one sink applies to one table, or null when that sink takes the table as it is.</summary>
    public TableTransform? Transform(string pipeline, string sink, TableName table) =>
        _transforms.GetOrAdd((pipeline, sink), key => new SinkTransforms(GetSink(key.Pipeline, key.Sink).Transforms, _masking)).For(table);

    /// <summary>
    /// Changes a sink grain merges from its queue into one <see cref="ISink.ApplyAsync"/> call at most: a destination
    /// whose every write costs much whatever its size (a ClickHouse insert makes a part) takes larger batches. From the
    /// configuration alone, without creating the sink: a source sizes its read-ahead by it, possibly on a silo that
    /// runs none of the pipeline's sinks.
    /// </summary>
    public static int MaxBatchChanges(SinkConfig sink) =>
        sink.ClickHouse is not null ? ClickHouseSink.InsertChanges : Grains.SinkGrain.MaxBatchChanges;

    // A Postgres sink reads the definitions of user-defined types it has to create from the pipeline's source.
    private ISink Create(PipelineConfig pipeline, SinkConfig sink) => sink switch
    {
        { Postgres: { } postgres, ClickHouse: null, Kafka: null, Cassandra: null } => new PostgresSink(postgres, _loggerFactory.CreateLogger<PostgresSink>(), pipeline.Source?.Postgres?.Connection),
        { ClickHouse: { } clickHouse, Postgres: null, Kafka: null, Cassandra: null } => new ClickHouseSink(clickHouse, control, _loggerFactory.CreateLogger<ClickHouseSink>()),
        { Kafka: { } kafka, Postgres: null, ClickHouse: null, Cassandra: null } => new KafkaSink(kafka, pipeline.Name!, SourceDatabase(pipeline), control, _loggerFactory.CreateLogger<KafkaSink>()),
        { Cassandra: { } cassandra, Postgres: null, ClickHouse: null, Kafka: null } => new CassandraSink(cassandra, _loggerFactory.CreateLogger<CassandraSink>()),
        _ => throw new InvalidOperationException($"Sink '{sink.Name}' needs exactly one destination entry ('postgres:', 'clickhouse:', 'kafka:' or 'cassandra:')."),
    };

    /// <summary>The source database's name, for event formats that carry it (Debezium's source.db).</summary>
    private static string SourceDatabase(PipelineConfig pipeline) =>
        pipeline.Source?.Postgres?.Connection is { } connection ? new NpgsqlConnectionStringBuilder(connection).Database ?? "" : "";

    public async ValueTask DisposeAsync()
    {
        foreach (var sink in _sinks.Values.Where(s => s.IsValueCreated))
        {
            await sink.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}
