using System.Net;
using System.Net.Sockets;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Tells the retry loop whether a ClickHouse apply failure may succeed later (transient) or not (permanent: the
/// batch goes to the dead-letter queue, or the activation stops). Control-database errors are classified like
/// the Postgres sink's.
/// </summary>
public static class ClickHouseErrorClassifier
{
    /// <summary>
    /// True for connection errors and timeouts, HTTP 5xx other than a ClickHouse error code known to be
    /// permanent, HTTP 408/429, and ClickHouse codes that mean load or a server-side hiccup (timeouts 159/160/209,
    /// too many parts 252, too many simultaneous queries 202, memory limit 241, network 210, table is being
    /// altered 473). False for parse and type errors (27 CANNOT_PARSE_INPUT_ASSERTION_FAILED, 6, 26, 38, 41, 53,
    /// 69, 70, 72), syntax (62), unknown table/column/database (60, 16, 47, 81), access (192, 193, 516), any
    /// other 4xx, values ClickHouse cannot hold, fencing, schema exceptions and cancellation by the caller.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);

        // An ambiguous schema change is not the rows' fault: the table waits for its resync, never dead-letters.
        if (exception is AmbiguousSchemaChangeException)
        {
            return true;
        }

        // A value that failed conversion while the body streamed arrives wrapped in an HttpRequestException.
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is ClickHouseValueException or SinkFencedException or UnsupportedSchemaChangeException or KeylessTableChangeException)
            {
                return false;
            }
        }

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case ClickHouseServerException server:
                    return IsTransient(server.Status, server.Code);
                case Npgsql.PostgresException postgres:
                    return Postgres.PostgresErrorClassifier.IsTransientSqlState(postgres.SqlState);
                case TaskCanceledException when current.InnerException is TimeoutException:
                    return true;
                case OperationCanceledException:
                    return false;
                case HttpRequestException or IOException or SocketException or TimeoutException:
                    return true;
                case Npgsql.NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
            }
        }

        return false;
    }

    /// <summary>The HTTP status and ClickHouse code part of <see cref="IsTransient(Exception)"/>.</summary>
    public static bool IsTransient(HttpStatusCode status, int? code)
    {
        if (code is { } c)
        {
            switch (c)
            {
                case 159 or 160 or 209 or 210 or 202 or 241 or 252 or 473 or 425:
                    return true;

                // The server refuses the sink itself (unknown user, wrong password, authentication failed, access
                // denied, unknown database): wrong for every change alike, so retried until an operator fixes it
                // rather than dead-lettering every change.
                case 192 or 193 or 516 or 497 or 81:
                    return true;
                case 6 or 26 or 27 or 38 or 41 or 53 or 62 or 69 or 70 or 72 or 16 or 47 or 60:
                    return false;
            }
        }

        var number = (int)status;
        return number >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
    }
}
