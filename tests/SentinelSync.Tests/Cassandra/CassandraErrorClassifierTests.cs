using SentinelSync.Replication;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Tests.Cassandra;

/// <summary>What the sink retries (and the slot keeps) and what it dead-letters.</summary>
public sealed class CassandraErrorClassifierTests
{
    public static TheoryData<Exception, bool> Cases() => new()
    {
        { new CqlConnectionException("no node is up"), true },
        { new CqlRequestTimeoutException("no answer"), true },
        { new CqlWriteTimeoutException("timeout", CqlConsistency.LocalQuorum, 1, 2, "UNLOGGED_BATCH"), true },
        { new CqlUnavailableException("unavailable", CqlConsistency.LocalQuorum, 2, 1), true },
        { new CqlOverloadedException("overloaded"), true },
        { new CqlAuthenticationException("bad credentials"), true },
        { new CqlUnauthorizedException("no MODIFY permission"), true },
        { new CassandraReservationConflictException("raced"), true },
        { new InvalidOperationException("wrapper", new CqlConnectionException("inner")), true },
        { new CqlInvalidQueryException("Undefined column"), false },
        { new CqlSyntaxException("no viable alternative"), false },
        { new CassandraValueException("NaN"), false },
        { new KeylessTableException(new TableName("public", "log")), false },
        { new SinkFencedException("s", new TableName("public", "t"), 1, 2), false },
        { new OperationCanceledException(), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies(Exception exception, bool transient) =>
        CassandraErrorClassifier.IsTransient(exception).ShouldBe(transient, exception.GetType().Name);
}
