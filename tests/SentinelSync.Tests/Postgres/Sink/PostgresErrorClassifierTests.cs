using System.Net.Sockets;
using Npgsql;
using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Tests.Postgres.Sink;

public sealed class PostgresErrorClassifierTests
{
    [Theory]
    [InlineData("40001", true)]
    [InlineData("40P01", true)]
    [InlineData("57P01", true)]
    [InlineData("57P03", true)]
    [InlineData("53300", true)]
    [InlineData("08006", true)]
    [InlineData("28P01", true)]
    [InlineData("28000", true)]
    [InlineData("3D000", true)]
    [InlineData("42501", true)]
    [InlineData("23505", false)]
    [InlineData("23502", false)]
    [InlineData("22P02", false)]
    [InlineData("22003", false)]
    [InlineData("42703", false)]
    [InlineData("42P01", false)]
    public void Postgres_errors_are_classified_by_sqlstate(string sqlState, bool transient)
    {
        var error = new PostgresException("message", "ERROR", "ERROR", sqlState);

        PostgresErrorClassifier.IsTransient(error).ShouldBe(transient);
    }

    [Fact]
    public void Io_and_socket_errors_are_transient_also_when_wrapped()
    {
        PostgresErrorClassifier.IsTransient(new SentinelSync.Replication.Sinks.DestinationUnavailableException("refused", new PostgresException("m", "FATAL", "FATAL", "55000"))).ShouldBeTrue();
        PostgresErrorClassifier.IsTransient(new IOException("reset")).ShouldBeTrue();
        PostgresErrorClassifier.IsTransient(new NpgsqlException("lost", new SocketException((int)SocketError.ConnectionReset))).ShouldBeTrue();
        PostgresErrorClassifier.IsTransient(new InvalidOperationException("wrapped", new SocketException((int)SocketError.ConnectionRefused))).ShouldBeTrue();
    }

    [Fact]
    public void A_table_blocked_by_a_type_the_destination_cannot_create_is_retried_not_dead_lettered()
    {
        var table = new TableName("public", "t");
        var missing = new MissingDestinationTypeException(table, "c", "mood", "create it", new PostgresException("m", "ERROR", "ERROR", "22023"));

        PostgresErrorClassifier.IsTransient(new SentinelSync.Replication.Sinks.TableBlockedException(table, missing.Message, missing)).ShouldBeTrue();
    }

    [Fact]
    public void Fencing_cancellation_and_unknown_errors_are_permanent()
    {
        PostgresErrorClassifier.IsTransient(new SinkFencedException("s", new TableName("public", "t"), 1, 2)).ShouldBeFalse();
        PostgresErrorClassifier.IsTransient(new OperationCanceledException()).ShouldBeFalse();
        PostgresErrorClassifier.IsTransient(new InvalidOperationException("bug")).ShouldBeFalse();
    }
}
