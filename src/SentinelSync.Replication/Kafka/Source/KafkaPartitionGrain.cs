using Microsoft.Extensions.Logging;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.DeadLetters;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Hosts a partition's read loop (<see cref="KafkaPartitionReader"/>) for as long as it is active: starts it on
/// activation, restarts it with growing backoff when it fails (from the destinations' offsets again), and on
/// deactivation stops reading and waits (up to 30 s) until the sinks applied what was pushed. Placed by rendezvous
/// hashing, so that partitions spread over the silos, and moved by <see cref="PipelineRebalancer"/> when their owner
/// changes; fenced, so that a second activation cannot write its state.
/// </summary>
[GrainType(GrainType)]
[RendezvousPlacement]
public sealed partial class KafkaPartitionGrain(
    [PersistentState("kafka-partition", FencedGrainStorage.Name)] IPersistentState<KafkaPartitionState> state,
    PipelineRegistry pipelines,
    DeadLetterStore deadLetters,
    LocalSources localSources,
    ILocalSiloDetails silo,
    GrainLeases leases,
    ActivationEpochs epochs,
    ILogger<KafkaPartitionGrain> logger) : FencedGrain(leases, epochs), IKafkaPartitionGrain
{
    public const string GrainType = "KafkaPartition";

    private IPersistentState<KafkaPartitionState> _state = null!;
    private KafkaPartitionReader? _reader;
    private Task _run = Task.CompletedTask;
    private CancellationTokenSource _abort = new();
    private DateTimeOffset _nextStart;
    private TimeSpan _backoff = TimeSpan.FromSeconds(1);
    private string? _lastError;
    private string _pipeline = "";
    private string _topic = "";
    private int _partition;

    protected override async Task OnLeasedAsync(CancellationToken cancellationToken)
    {
        (_pipeline, _topic, _partition) = KafkaGrainKeys.ParsePartition(Key);
        await state.ReadStateAsync(cancellationToken);
        _state = new GrainBoundState<KafkaPartitionState>(state);
        localSources.Add(this.GetGrainId());
        PipelineInstruments.KafkaPartitionRead(_pipeline, _topic, _partition, () => _reader is { EndOffset: { } end } reader ? Math.Max(0, end - reader.CommittedOffset) : null);
        Start();
    }

    protected override async Task OnReleasingAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            _reader?.Stop();
            await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None));
            await _abort.CancelAsync();
            try
            {
                await _run;
            }
            catch (OperationCanceledException)
            {
            }
        }
        finally
        {
            localSources.Remove(this.GetGrainId());
            PipelineInstruments.ForgetKafkaPartition(_pipeline, _topic, _partition);
        }
    }

    public Task EnsureRunningAsync()
    {
        if (_run.IsCompleted && DateTimeOffset.UtcNow >= _nextStart)
        {
            Start();
        }

        return Task.CompletedTask;
    }

    public Task<KafkaPartitionStatus> GetStatusAsync() => Task.FromResult(new KafkaPartitionStatus(
        _pipeline,
        _topic,
        _partition,
        silo.Name,
        _run.IsCompleted && _reader?.Phase != "stopped" ? "failed" : _reader?.Phase ?? "starting",
        _reader?.NextOffset ?? 0,
        _reader?.CommittedOffset ?? 0,
        _reader?.Tables ?? [],
        _reader?.Messages ?? 0,
        _reader?.DeadLettered ?? 0,
        _lastError,
        _reader?.EndOffset));

    public Task StopAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task MoveAsync(string owner)
    {
        if (silo.Name != owner)
        {
            MigrateOnIdle();
        }

        return Task.CompletedTask;
    }

    private void Start()
    {
        var options = pipelines.Get(_pipeline).Source!.Kafka!;
        _abort = new CancellationTokenSource();
        var reader = _reader = new KafkaPartitionReader(_pipeline, options, _topic, _partition, GrainFactory, pipelines, deadLetters, _state, logger);
        var started = DateTimeOffset.UtcNow;
        var abort = _abort.Token;
        _run = CallCycleFilter.RunDetached(() => reader.RunAsync(abort)).ContinueWith(
            run =>
            {
                if (run.Exception?.GetBaseException() is { } error && !abort.IsCancellationRequested)
                {
                    _backoff = DateTimeOffset.UtcNow - started > TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
                    _nextStart = DateTimeOffset.UtcNow + _backoff;
                    _lastError = $"{error.GetType().Name}: {error.Message}";
                    PipelineInstruments.KafkaPartitionFailed(_pipeline, _topic, _partition);
                    LogRunFailed(logger, _pipeline, _topic, _partition, _backoff.TotalSeconds, error);
                }
            },
            TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline}: Kafka partition {Topic}/{Partition} failed; reading again from the destinations' offsets in {Seconds} s")]
    private static partial void LogRunFailed(ILogger logger, string pipeline, string topic, int partition, double seconds, Exception error);
}
