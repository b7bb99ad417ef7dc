namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>
/// The server answered with an ERROR: its code and message. Subclasses carry the extra fields some codes have;
/// <see cref="IsTransient"/> says whether the same request may succeed later without anyone changing anything.
/// </summary>
public class CqlServerException(CqlErrorCode code, string message)
    : Exception($"{message} (CQL error 0x{(int)code:x4} {code})")
{
    public CqlErrorCode Code { get; } = code;

    public string ServerMessage { get; } = message;

    /// <summary>
    /// Replica shortage, timeouts, overload, bootstrapping and server errors pass; syntax, invalid, unauthorized,
    /// credentials and configuration errors are the request's (or the operator's) and repeat until something changes.
    /// </summary>
    public virtual bool IsTransient => Code is CqlErrorCode.ServerError or CqlErrorCode.Unavailable or CqlErrorCode.Overloaded
        or CqlErrorCode.IsBootstrapping or CqlErrorCode.TruncateError or CqlErrorCode.WriteTimeout or CqlErrorCode.ReadTimeout
        or CqlErrorCode.ReadFailure or CqlErrorCode.WriteFailure or CqlErrorCode.Unprepared
        or CqlErrorCode.CdcWriteFailure or CqlErrorCode.CasWriteUnknown;

    /// <summary>Reads an ERROR body into the exception type of its code.</summary>
    public static CqlServerException Read(CqlReader reader)
    {
        var code = (CqlErrorCode)reader.ReadInt();
        var message = reader.ReadString();
        return code switch
        {
            CqlErrorCode.Unavailable => new CqlUnavailableException(message, (CqlConsistency)reader.ReadShort(), reader.ReadInt(), reader.ReadInt()),
            CqlErrorCode.WriteTimeout => new CqlWriteTimeoutException(message, (CqlConsistency)reader.ReadShort(), reader.ReadInt(), reader.ReadInt(), reader.ReadString()),
            CqlErrorCode.ReadTimeout => new CqlReadTimeoutException(message, (CqlConsistency)reader.ReadShort(), reader.ReadInt(), reader.ReadInt(), reader.ReadByte() != 0),
            CqlErrorCode.ReadFailure => ReadFailure(reader, message),
            CqlErrorCode.WriteFailure => WriteFailure(reader, message),
            CqlErrorCode.FunctionFailure => new CqlFunctionFailureException(message, reader.ReadString(), reader.ReadString(), reader.ReadStringList()),
            CqlErrorCode.AlreadyExists => new CqlAlreadyExistsException(message, reader.ReadString(), reader.ReadString()),
            CqlErrorCode.Unprepared => new CqlUnpreparedException(message, reader.ReadShortBytes()),
            CqlErrorCode.SyntaxError => new CqlSyntaxException(message),
            CqlErrorCode.Invalid => new CqlInvalidQueryException(message),
            CqlErrorCode.Unauthorized => new CqlUnauthorizedException(message),
            CqlErrorCode.BadCredentials => new CqlAuthenticationException(message),
            CqlErrorCode.Overloaded => new CqlOverloadedException(message),
            CqlErrorCode.CasWriteUnknown => new CqlFailureException(code, message, (CqlConsistency)reader.ReadShort(), reader.ReadInt(), reader.ReadInt(), 0, null),
            _ => new CqlServerException(code, message),
        };
    }

    private static CqlFailureException ReadFailure(CqlReader reader, string message)
    {
        var consistency = (CqlConsistency)reader.ReadShort();
        var received = reader.ReadInt();
        var blockFor = reader.ReadInt();
        var reasons = ReadFailures(reader);
        var dataPresent = reader.ReadByte() != 0;
        return new CqlFailureException(CqlErrorCode.ReadFailure, message, consistency, received, blockFor, reasons.Count, null) { DataPresent = dataPresent, Reasons = reasons.Map };
    }

    private static CqlFailureException WriteFailure(CqlReader reader, string message)
    {
        var consistency = (CqlConsistency)reader.ReadShort();
        var received = reader.ReadInt();
        var blockFor = reader.ReadInt();
        var reasons = ReadFailures(reader);
        return new CqlFailureException(CqlErrorCode.WriteFailure, message, consistency, received, blockFor, reasons.Count, reader.ReadString()) { Reasons = reasons.Map };
    }

    /// <summary>v4: &lt;numfailures&gt; [int]; v5: &lt;reasonmap&gt;, an [int] n then n pairs of [inetaddr] and a [short] reason code.</summary>
    private static (int Count, IReadOnlyDictionary<System.Net.IPAddress, ushort>? Map) ReadFailures(CqlReader reader)
    {
        var count = reader.ReadInt();
        if (reader.ProtocolVersion < 5)
        {
            return (count, null);
        }

        var map = new Dictionary<System.Net.IPAddress, ushort>(count);
        for (var i = 0; i < count; i++)
        {
            var address = reader.ReadInetAddress();
            map[address] = reader.ReadShort();
        }

        return (count, map);
    }
}
