using SentinelSync.Testing;

namespace SentinelSync.Tests.Testing;

public sealed class TestServersTests
{
    [Fact]
    public void Unavailable_postgres_message_names_server_address_variable_and_setup()
    {
        var error = TestServers.PostgresUnavailable("Host=127.0.0.1;Port=5433;Username=postgres;Password=secret", new TimeoutException("timed out"));

        error.Message.ShouldContain("Postgres");
        error.Message.ShouldContain("127.0.0.1:5433");
        error.Message.ShouldContain("bash eng/setup.sh");
        error.Message.ShouldNotContain("secret");
        error.EnvironmentVariable.ShouldBeOneOf(TestServers.PostgresVariable, TestServers.PostgresDestinationVariable);
        error.Message.ShouldContain(error.EnvironmentVariable);
    }

    [Fact]
    public void Unavailable_clickhouse_message_names_server_address_and_variable()
    {
        var error = TestServers.ClickHouseUnavailable(new Uri("http://127.0.0.1:8123/"), innerException: null);

        error.Message.ShouldContain("ClickHouse");
        error.Message.ShouldContain("http://127.0.0.1:8123/");
        error.Message.ShouldContain(TestServers.ClickHouseVariable);
        error.Message.ShouldContain("bash eng/setup.sh");
    }
}
