using System.Diagnostics;
using Npgsql;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// The batches of one (sink, table) in flight together (<see cref="Pipelines.IPipelinedSink"/>). The offset row stays
/// locked in one control-database transaction for as long as any of them is in flight, as it stays locked for one batch
/// in <see cref="KafkaSink.ApplyAsync"/>: a newer activation waits until every message sent under the lock was
/// acknowledged (or failed), so its messages never land before older ones. Positions are written in batch order as
/// acknowledgements arrive and committed when no batch is in flight any more; a failed batch writes none, and every
/// later batch fails with it, in this window and in the windows after it (each starts from the last batch of the one
/// before), until <see cref="KafkaSink.ApplyAsync"/> applied the failed batches again.
/// </summary>
internal sealed class KafkaSendWindow
{
    /// <summary>How long a window takes new batches: then it drains and commits, so the control transaction stays short.</summary>
    internal static readonly TimeSpan MaxOpen = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly OffsetRows _offsets;
    private readonly string _key;
    private readonly long _opened = Stopwatch.GetTimestamp();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<Position> _last;
    private int _inFlight;
    private bool _closing;
    private bool _closeOwned;
    private bool _failed;

    private KafkaSendWindow(NpgsqlConnection connection, NpgsqlTransaction transaction, OffsetRows offsets, string key, long epoch, SinkOffset stored, Task<Position>? before)
    {
        _connection = connection;
        _transaction = transaction;
        _offsets = offsets;
        _key = key;
        Epoch = epoch;
        Stored = stored;
        _last = before ?? Task.FromResult(stored.Position);
    }

    public long Epoch { get; }

    /// <summary>The position stored when the window opened: changes at or below it are not sent again.</summary>
    public SinkOffset Stored { get; }

    /// <summary>Completes once the window committed and its connection is closed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>The acknowledgement of the window's last batch: where the next window's first batch starts from.</summary>
    public Task<Position> Last
    {
        get
        {
            lock (_lock)
            {
                return _last;
            }
        }
    }

    /// <summary>
    /// Locks the offset row of <paramref name="batch"/>'s table and refuses a newer epoch (<see cref="SinkFencedException"/>).
    /// <paramref name="before"/>: the previous window's <see cref="Last"/>, whose failure fails this window's batches too.
    /// </summary>
    public static async Task<KafkaSendWindow> OpenAsync(NpgsqlDataSource control, OffsetRows offsets, string key, ChangeBatch batch, long epoch, Task<Position>? before, CancellationToken cancellationToken)
    {
        var connection = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            var (stored, _) = await offsets.BeginBatchAsync(connection, key, batch, epoch, replay: false, cancellationToken).ConfigureAwait(false);
            return new KafkaSendWindow(connection, transaction, offsets, key, epoch, stored, before);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Takes one more batch, before its messages are produced; false once the window drains (open too long, or its
    /// last batch completing): the caller waits for <see cref="Closed"/> and opens another.
    /// </summary>
    public bool TryReserve()
    {
        lock (_lock)
        {
            if (_closing || _closeOwned || _failed || Stopwatch.GetElapsedTime(_opened) > MaxOpen)
            {
                return false;
            }

            _inFlight++;
            return true;
        }
    }

    /// <summary>The reserved batch's acknowledgement: <paramref name="delivered"/>, then every earlier batch's, then its position written.</summary>
    public Task<Position> Attach(ChangeBatch batch, Task delivered)
    {
        lock (_lock)
        {
            return _last = CompleteAsync(batch, delivered, _last);
        }
    }

    /// <summary>Waits until every batch of the window completed and the window closed, whatever their outcome.</summary>
    public async Task DrainAsync()
    {
        bool idle;
        lock (_lock)
        {
            _closing = true;
            idle = _inFlight == 0 && !_closeOwned;
            _closeOwned |= idle;
        }

        if (idle)
        {
            await CloseAsync().ConfigureAwait(false);
        }

        await Closed.ConfigureAwait(false);
    }

    private async Task<Position> CompleteAsync(ChangeBatch batch, Task delivered, Task<Position> previous)
    {
        try
        {
            // Every message of the batch reported first, failed or not: none may still be in flight when the lock goes.
            await delivered.ConfigureAwait(false);
            await previous.ConfigureAwait(false);
            var applied = await _offsets.EndBatchAsync(_connection, _key, batch, Stored, Epoch, replay: false, CancellationToken.None).ConfigureAwait(false);
            await LeaveAsync(failed: false).ConfigureAwait(false);
            return applied;
        }
        catch
        {
            await LeaveAsync(failed: true).ConfigureAwait(false);
            throw;
        }
    }

    private async Task LeaveAsync(bool failed)
    {
        bool last;
        lock (_lock)
        {
            _failed |= failed;
            // Nothing in flight: commit now rather than hold the row locked while the sink waits for work.
            last = --_inFlight == 0 && !_closeOwned;
            _closeOwned |= last;
        }

        if (last)
        {
            await CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Commits the positions written (those of the batches acknowledged before any failure; a failed batch and those
    /// after it wrote none), then releases the row and the connection.
    /// </summary>
    private async Task CloseAsync()
    {
        try
        {
            await _transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The positions stay where they were: the batches are sent again if the source hands them out again.
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _closed.TrySetResult();
        }
    }
}
