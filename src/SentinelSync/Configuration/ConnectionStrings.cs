using Npgsql;

namespace SentinelSync.Configuration;

/// <summary>Connection strings made fit for display: logs, API output, CLI output and error messages.</summary>
public static class ConnectionStrings
{
    public const string Mask = "********";

    /// <summary>
    /// The connection string with its password replaced by <see cref="Mask"/>. A string that does not parse is
    /// not shown at all: it may hold a password in a shape we do not recognise.
    /// </summary>
    public static string Masked(string? connection)
    {
        if (string.IsNullOrEmpty(connection))
        {
            return "";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connection);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = Mask;
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(connection string not shown: it does not parse)";
        }
    }

    /// <summary>The password of a connection string, if it has one and parses (to redact it from free text).</summary>
    public static string? Password(string? connection)
    {
        try
        {
            return string.IsNullOrEmpty(connection) ? null : new NpgsqlConnectionStringBuilder(connection).Password is { Length: > 0 } password ? password : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
