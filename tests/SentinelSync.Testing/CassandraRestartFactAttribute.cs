using Xunit;

namespace SentinelSync.Testing;

/// <summary>
/// A fact that restarts the Cassandra node under a running pipeline: it needs <see cref="TestServers.CassandraVariable"/>
/// and a command to restart that node in <see cref="TestServers.CassandraRestartVariable"/>; without either it is
/// reported as skipped with the reason.
/// </summary>
public sealed class CassandraRestartFactAttribute : FactAttribute
{
    public CassandraRestartFactAttribute()
    {
        if (TestServers.Cassandra is null)
        {
            Skip = $"{TestServers.CassandraVariable} is not set: this test needs a Cassandra 4.1/5.0 or ScyllaDB node it may restart (see README, Cassandra sink)";
        }
        else if (TestServers.CassandraRestart is null)
        {
            Skip = $"{TestServers.CassandraRestartVariable} is not set: this test restarts the node with that command (e.g. 'docker restart cassandra') and cannot without it";
        }
    }
}
