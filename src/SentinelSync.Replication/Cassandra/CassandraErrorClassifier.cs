using System.Net.Sockets;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// Tells the retry loop whether a Cassandra apply failure may pass (retried with backoff, the slot keeps the WAL) or is
/// the data's (dead-lettered after the retries) or the configuration's.
/// </summary>
public static class CassandraErrorClassifier
{
    /// <summary>
    /// Transient: unreachable nodes (or none in the local datacenter), broken connections, request timeouts, the
    /// server's transient codes (unavailable, overloaded, bootstrapping, read/write timeouts and failures, truncate
    /// errors, server errors), a reservation race, and what only an operator can fix without the data being at fault
    /// (bad credentials, a missing permission, a configuration error, a key split that does not fit the table): those wait, logged, and never dead-letter.
    /// Permanent: values Cassandra cannot hold, syntax and invalid-query errors, keyless tables, schema changes
    /// Cassandra cannot follow, fencing, cancellation.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case CassandraValueException or CqlValueException or KeylessTableException or UnsupportedSchemaChangeException or SinkFencedException:
                    return false;
                case CqlAuthenticationException or CqlUnauthorizedException or CqlServerException { Code: CqlErrorCode.ConfigError } or CassandraKeySplitException:
                    return true;
                case CqlServerException server:
                    return server.IsTransient;
                case CassandraReservationConflictException or CqlConnectionException or CqlRequestTimeoutException or CqlProtocolException:
                    return true;
                case OperationCanceledException:
                    return false;
                case IOException or SocketException or TimeoutException:
                    return true;
            }
        }

        return false;
    }
}
