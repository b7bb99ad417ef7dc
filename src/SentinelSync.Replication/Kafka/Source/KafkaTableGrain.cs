using Orleans.Placement;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Grains;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>See <see cref="IKafkaTableGrain"/>. Fenced, so that a second activation cannot write an older schema over a newer one.</summary>
[GrainType(GrainType)]
[PreferLocalPlacement]
public sealed class KafkaTableGrain(
    [PersistentState("kafka-table", FencedGrainStorage.Name)] IPersistentState<KafkaTableState> state,
    GrainLeases leases,
    ActivationEpochs epochs) : FencedGrain(leases, epochs), IKafkaTableGrain
{
    public const string GrainType = "KafkaTable";

    private TableName _table = null!;

    protected override async Task OnLeasedAsync(CancellationToken cancellationToken)
    {
        // Read again under the lease: the previous owner may have written after Orleans read it for us.
        await state.ReadStateAsync(cancellationToken);
        _table = GrainKeys.ParseTable(Key).Table;
    }

    public async Task<TableSchema> MergeAsync(ObservedColumn[] observed)
    {
        var merged = KafkaTableShape.Merge(_table, state.State.Schema, observed);
        if (!ReferenceEquals(merged, state.State.Schema))
        {
            state.State.Schema = merged;
            await state.WriteStateAsync();
        }

        return merged;
    }

    public Task<TableSchema?> GetSchemaAsync() => Task.FromResult(state.State.Schema);
}
