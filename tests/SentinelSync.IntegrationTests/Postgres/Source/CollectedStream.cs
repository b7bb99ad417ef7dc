using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Source;

/// <summary>Reads a <see cref="PostgresChangeStream"/> in the background and keeps every batch for assertions.</summary>
internal sealed class CollectedStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ChangeBatch> _batches = [];
    private readonly Task _reader;
    private Exception? _error;

    private CollectedStream(PostgresChangeStream stream)
    {
        Stream = stream;
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in stream.ReadAsync(cancellationToken: _stop.Token))
                {
                    lock (_batches)
                    {
                        _batches.Add(batch);
                    }
                }
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested)
            {
                _error = ex;
            }
            catch (OperationCanceledException)
            {
                // Stopped by DisposeAsync.
            }
        });
    }

    public PostgresChangeStream Stream { get; }

    public static async Task<CollectedStream> StartAsync(PostgresSourceOptions options, PostgresChangeStreamSettings? settings = null, string? connectionString = null)
    {
        var stream = await PostgresChangeStream.OpenAsync(connectionString ?? options.Connection, options.Slot, options.Publication, settings);
        return new CollectedStream(stream);
    }

    public static Task<CollectedStream> Wrap(PostgresChangeStream stream) => Task.FromResult(new CollectedStream(stream));

    public List<ChangeBatch> Batches
    {
        get
        {
            lock (_batches)
            {
                return [.. _batches];
            }
        }
    }

    public List<RowChange> Changes => Batches.SelectMany(b => b.Changes).ToList();

    /// <summary>Waits until at least <paramref name="count"/> changes arrived; fails fast if the reader failed.</summary>
    public async Task<List<RowChange>> WaitForChangesAsync(int count, int seconds = 30)
    {
        await Eventually.WaitAsync(
            () => Task.FromResult(_error is not null || Changes.Count >= count),
            TimeSpan.FromSeconds(seconds),
            () => $"waiting for {count} streamed changes, got {Changes.Count}");
        if (_error is not null)
        {
            throw new InvalidOperationException("The change stream failed", _error);
        }

        return Changes;
    }

    public Exception? Error => _error;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        finally
        {
            await Stream.DisposeAsync();
            _stop.Dispose();
        }
    }
}
