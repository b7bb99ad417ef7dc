using Xunit;

namespace SentinelSync.Testing;

/// <summary>
/// A test that needs a server these machines cannot run (a Kafka broker, Cassandra, Vault, ...): it runs when
/// <c>variable</c> names one, and is reported as skipped, with the reason, when it does not; never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EnvironmentFactAttribute : FactAttribute
{
    public EnvironmentFactAttribute(string variable, string server)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            Skip = $"skipped: no {server} ({variable} is not set)";
        }
    }
}
