using Confluent.Kafka;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// The transactional producer of one sink grain (one table): created, and its transactions initialised, per lease
/// epoch. Initialising a transactional id fences every older producer of that id at the brokers; a new epoch on
/// this silo therefore replaces the producer. Callers hold <see cref="Gate"/>: one transaction at a time.
/// </summary>
internal sealed class TransactionalProducer
{
    private static readonly TimeSpan s_initTimeout = TimeSpan.FromSeconds(60);
    private IProducer<byte[]?, byte[]?>? _producer;
    private long _epoch = -1;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The producer for <paramref name="epoch"/>, created and initialised when missing or of an older epoch.</summary>
    public async Task<IProducer<byte[]?, byte[]?>> ForEpochAsync(long epoch, Func<IProducer<byte[]?, byte[]?>> create)
    {
        if (_producer is not null && _epoch == epoch)
        {
            return _producer;
        }

        Reset();
        var producer = create();
        try
        {
            await Task.Run(() => producer.InitTransactions(s_initTimeout)).ConfigureAwait(false);
        }
        catch
        {
            producer.Dispose();
            throw;
        }

        (_producer, _epoch) = (producer, epoch);
        return producer;
    }

    /// <summary>After a failed transaction: abort it, or drop the producer when it cannot (a fatal error).</summary>
    public void AbortOrReset()
    {
        try
        {
            _producer?.AbortTransaction(s_initTimeout);
        }
        catch (KafkaException)
        {
            Reset();
        }
    }

    public void Reset()
    {
        _producer?.Dispose();
        _producer = null;
        _epoch = -1;
    }
}
