namespace SentinelSync.Replication;

/// <summary>
/// One column of a source table. <see cref="TypeName"/> is Postgres' own spelling with modifiers
/// (<c>format_type</c>: <c>numeric(20,4)</c>, <c>character varying(10)</c>, <c>integer[]</c>), so a Postgres
/// destination can create the column faithfully; values travel in Postgres' text format, which round-trips
/// every type exactly.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record ColumnSchema(string Name, string TypeName, uint TypeOid, bool IsKey);
