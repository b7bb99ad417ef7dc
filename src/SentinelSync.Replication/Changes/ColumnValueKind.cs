namespace SentinelSync.Replication;

public enum ColumnValueKind : byte
{
    Null,
    Text,
    UnchangedToast,
}
