namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// A column as one message shows it: its name, the Postgres type its values are written in
/// (<c>format_type</c> spelling and the built-in type's OID) and whether it is part of the message key.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record ObservedColumn(string Name, string TypeName, uint TypeOid, bool IsKey);
