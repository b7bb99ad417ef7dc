namespace SentinelSync.Testing;

/// <summary>
/// A server the tests need (Postgres, ClickHouse) could not be reached. The message names the
/// server, the address tried and the environment variable that points the tests elsewhere.
/// </summary>
public sealed class TestServerUnavailableException : Exception
{
    /// <summary>Creates the exception for <paramref name="server"/> at <paramref name="address"/>.</summary>
    public TestServerUnavailableException(string server, string address, string environmentVariable, Exception? innerException)
        : base(
            $"{server} is not reachable at {address}. Start the local servers with `bash eng/setup.sh` "
            + $"(as root), or set {environmentVariable} to point the tests at another server."
            + (innerException is null ? "" : $" ({innerException.GetType().Name}: {innerException.Message})"),
            innerException)
    {
        Server = server;
        Address = address;
        EnvironmentVariable = environmentVariable;
    }

    /// <summary>The server that could not be reached, e.g. "Postgres (source)".</summary>
    public string Server { get; }

    /// <summary>The address tried (host and port, or URL); never contains credentials.</summary>
    public string Address { get; }

    /// <summary>The environment variable that configures this server for the tests.</summary>
    public string EnvironmentVariable { get; }
}
