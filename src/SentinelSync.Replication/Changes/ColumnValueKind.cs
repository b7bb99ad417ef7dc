namespace SentinelSync.Replication;

[GenerateSerializer]
public enum ColumnValueKind : byte
{
    Null,
    Text,
    UnchangedToast,
}
