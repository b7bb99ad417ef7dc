using Orleans.Placement;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// Fans one table's batches out to its sinks and reports their progress. It does not filter replays itself:
/// after a restart the source streams again from the slot's confirmed position, and each sink skips what it
/// already applied by the offset it stores in the same transaction as the data (the only place where that
/// check can be exact). Sits with the source.
/// </summary>
[GrainType(GrainType)]
[PreferLocalPlacement]
public sealed class TableGrain(PipelineRegistry pipelines) : Grain, ITableGrain
{
    public const string GrainType = "Table";

    private ISinkGrain[] _sinks = [];
    private TableName _table = null!;
    private Position _pushed;
    private long _pushedChanges;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (var pipeline, _table) = GrainKeys.ParseTable(this.GetPrimaryKeyString());
        _sinks = [.. pipelines.Get(pipeline).Sinks.Select(s => GrainFactory.GetGrain<ISinkGrain>(GrainKeys.Sink(pipeline, s.Name!, _table)))];
        return Task.CompletedTask;
    }

    public async Task<int> PushAsync(ChangeBatch[] batches)
    {
        var queued = await Task.WhenAll(_sinks.Select(s => s.EnqueueAsync(batches)));
        foreach (var batch in batches)
        {
            _pushed = batch.Through > _pushed ? batch.Through : _pushed;
            _pushedChanges += batch.Count;
        }

        return queued.Max();
    }

    public async Task<TableProgress> GetProgressAsync() =>
        new(_table, _pushedChanges, _pushed, await Task.WhenAll(_sinks.Select(s => s.GetProgressAsync())));

    public async Task StopAsync()
    {
        await Task.WhenAll(_sinks.Select(s => s.StopAsync()));
        DeactivateOnIdle();
    }
}
