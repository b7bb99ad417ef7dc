namespace SentinelSync.Replication;

/// <summary>
/// One column of a source table. <see cref="TypeName"/> is Postgres' own spelling with modifiers
/// (<c>format_type</c>: <c>numeric(20,4)</c>, <c>character varying(10)</c>, <c>integer[]</c>), so a Postgres
/// destination can create the column faithfully; values travel in Postgres' text format, which round-trips
/// every type exactly.
/// <para>
/// <see cref="AttributeNumber"/> is the column's <c>pg_attribute.attnum</c> at the source: Postgres never reuses
/// one within a table, so two schema versions that share it share the column (renamed or retyped), and a new
/// number is a new column even under an old name. 0 means the source could not tell it for sure (or the schema was
/// stored by a version before attribute numbers were kept); sinks then refuse to guess how the columns moved.
/// </para>
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record ColumnSchema(string Name, string TypeName, uint TypeOid, bool IsKey, int AttributeNumber = 0);
