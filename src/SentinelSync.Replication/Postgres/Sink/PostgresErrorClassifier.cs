using System.Net.Sockets;
using Npgsql;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Tells the retry loop whether an apply failure is worth retrying (the same batch may well succeed later) or
/// permanent (retrying changes nothing: the batch goes to the dead-letter queue, or the activation stops).
/// </summary>
public static class PostgresErrorClassifier
{
    /// <summary>
    /// True for connection loss and I/O errors, serialization failures (40001), deadlocks (40P01), lock
    /// timeouts (55P03), server shutdown or recovery (57P01, 57P02, 57P03), lack of resources (class 53, e.g.
    /// too many connections 53300), system errors (class 58) and connection exceptions (class 08), and for the
    /// destination refusing the sink itself: authentication (class 28), a missing database (3D000), missing
    /// privileges (42501), and a table blocked by its destination (<see cref="TableBlockedException"/>: a type
    /// that cannot be created there). Those are wrong for every change alike, so they are retried until an
    /// operator fixes them instead of dead-lettering every change. False for
    /// everything else, in particular constraint violations (23xxx), data exceptions (22xxx), syntax and
    /// undefined objects (42xxx), fencing, schema exceptions and cancellation by the caller. Inner exceptions
    /// are followed, so a wrapped socket error counts as transient.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case DestinationUnavailableException or TableBlockedException or AmbiguousSchemaChangeException:
                    // A table blocked by its destination, or waiting for a resync after an ambiguous schema change: not the rows' fault, never dead-lettered.
                    return true;
                case PostgresException postgres:
                    return IsTransientSqlState(postgres.SqlState);
                case SinkFencedException or IncompatibleColumnTypeChangeException or MissingDestinationTypeException
                    or KeylessTableChangeException or UnsupportedSchemaChangeException:
                    return false;
                case OperationCanceledException:
                    return false;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
                case IOException or SocketException or TimeoutException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>The SQLSTATE part of <see cref="IsTransient"/>.</summary>
    public static bool IsTransientSqlState(string sqlState)
    {
        ArgumentNullException.ThrowIfNull(sqlState);
        return sqlState switch
        {
            "40001" or "40P01" or "55P03" or "57P01" or "57P02" or "57P03" => true,
            _ when sqlState.StartsWith("08", StringComparison.Ordinal) => true,
            _ when sqlState.StartsWith("53", StringComparison.Ordinal) => true,
            _ when sqlState.StartsWith("58", StringComparison.Ordinal) => true,
            _ when sqlState.StartsWith("28", StringComparison.Ordinal) => true,
            "3D000" or "42501" => true,
            _ => false,
        };
    }
}
