namespace SentinelSync.Replication.Sinks;

/// <summary>What a sink does with a destination column whose source column was dropped.</summary>
public enum DroppedColumnPolicy
{
    /// <summary>Keep the column and its data; make it nullable so that new rows can omit it (the default).</summary>
    KeepNullable,

    /// <summary>Drop the column at the destination too; its data is lost.</summary>
    Drop,
}
