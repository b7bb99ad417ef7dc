using Confluent.Kafka;

namespace SentinelSync.Replication.Kafka;

/// <summary>Counts the delivery reports of a batch of produced messages; completes when all arrived and keeps the first error.</summary>
internal sealed class DeliveryCounter
{
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _expected;
    private int _outstanding;
    private Error? _firstError;

    public DeliveryCounter(int expected)
    {
        _expected = expected;
        _outstanding = expected;
    }

    /// <summary>Completes when every message got its report (acknowledged or failed).</summary>
    public Task Completed => _expected == 0 ? Task.CompletedTask : _completed.Task;

    public int Outstanding => Volatile.Read(ref _outstanding);

    public Error? FirstError => Volatile.Read(ref _firstError);

    /// <summary>The delivery handler (called on librdkafka's delivery thread).</summary>
    public void Report(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.CompareExchange(ref _firstError, report.Error, null);
        }

        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _completed.TrySetResult();
        }
    }
}
