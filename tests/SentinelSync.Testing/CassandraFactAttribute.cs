using Xunit;

namespace SentinelSync.Testing;

/// <summary>
/// A fact that needs a Cassandra or ScyllaDB node: reported as skipped, with the reason and how to run it, when
/// <see cref="TestServers.CassandraVariable"/> is not set (no Cassandra server can be installed on the build machines).
/// </summary>
public sealed class CassandraFactAttribute : FactAttribute
{
    public CassandraFactAttribute()
    {
        if (TestServers.Cassandra is null)
        {
            Skip = $"{TestServers.CassandraVariable} is not set: this test needs a Cassandra 4.1/5.0 or ScyllaDB node, e.g. "
                + "'docker run -d -p 9042:9042 cassandra:5.0' then SENTINEL_TEST_CASSANDRA=127.0.0.1:9042 (see README, Cassandra sink)";
        }
    }
}
