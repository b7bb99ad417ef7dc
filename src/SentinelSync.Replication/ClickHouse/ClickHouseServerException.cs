using System.Net;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// ClickHouse answered a request with an error: the HTTP status and, when the body carries one
/// (<c>Code: 27, e.displayText() = …</c>), ClickHouse's own error code.
/// </summary>
public sealed class ClickHouseServerException(HttpStatusCode status, int? code, string message)
    : InvalidOperationException(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>ClickHouse's error code (e.g. 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED), or null.</summary>
    public int? Code { get; } = code;
}
