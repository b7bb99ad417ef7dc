namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

public enum BatchType : byte
{
    Logged = 0,
    Unlogged = 1,
    Counter = 2,
}
