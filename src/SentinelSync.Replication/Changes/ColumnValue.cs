using System.Text.Json.Serialization;

namespace SentinelSync.Replication;

/// <summary>
/// A column's value in Postgres' text format, or NULL, or "unchanged": a TOASTed value that an update did
/// not touch and pgoutput therefore did not send (its 'u' marker). A sink must keep the destination's
/// existing value for an unchanged column, never write NULL or a placeholder.
/// </summary>
[GenerateSerializer]
[Immutable]
public readonly record struct ColumnValue(ColumnValueKind Kind, string? Text)
{
    public static ColumnValue Null => new(ColumnValueKind.Null, null);

    public static ColumnValue Unchanged => new(ColumnValueKind.UnchangedToast, null);

    public static ColumnValue Of(string text) => new(ColumnValueKind.Text, text);

    [JsonIgnore]
    public bool IsNull => Kind == ColumnValueKind.Null;

    [JsonIgnore]
    public bool IsUnchanged => Kind == ColumnValueKind.UnchangedToast;

    public override string ToString() => Kind switch
    {
        ColumnValueKind.Null => "NULL",
        ColumnValueKind.UnchangedToast => "(unchanged)",
        _ => Text!,
    };
}
