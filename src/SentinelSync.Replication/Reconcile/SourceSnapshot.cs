using System.Data;
using Npgsql;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// A read-only repeatable-read transaction at the source whose snapshot is exported (<c>pg_export_snapshot</c>),
/// so several connections read one state of the source without locking anything. Kept open until disposed.
/// <see cref="MarkAsync"/> then writes a logical decoding message in a transaction of its own: its LSN lies
/// after the commit of every transaction the snapshot sees, so once the pipeline confirmed that LSN every sink
/// has applied at least the snapshot's state.
/// </summary>
internal sealed class SourceSnapshot : IAsyncDisposable
{
    /// <summary>The logical decoding message prefix of reconcile marks (the source ignores them).</summary>
    public const string Prefix = "sentinel.reconcile";

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private SourceSnapshot(NpgsqlConnection connection, NpgsqlTransaction transaction, string name)
    {
        _connection = connection;
        _transaction = transaction;
        Name = name;
    }

    public string Name { get; }

    public static async Task<SourceSnapshot> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await using var command = new NpgsqlCommand("SET TRANSACTION READ ONLY; SELECT pg_export_snapshot()", connection, transaction);
            var name = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            return new SourceSnapshot(connection, transaction, name);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes the mark (content: slot and run, for the log) and returns its LSN.</summary>
    public static async Task<ulong> MarkAsync(string connectionString, string content, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT (pg_logical_emit_message(true, $1, $2) - '0/0')::numeric", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Prefix });
        command.Parameters.Add(new NpgsqlParameter { Value = content });
        return (ulong)(decimal)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transaction.RollbackAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection broke: the snapshot is gone with it, which is all that disposing has to achieve.
        }

        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
