namespace SentinelSync.Replication.Postgres;

/// <summary>
/// What <see cref="PostgresSourceSetup.PrepareAsync"/> found and did: the resolved tables (in a stable order),
/// whether the slot already exists (then the pipeline resumes from it and takes no snapshot), the publication
/// changes made, and warnings that do not stop the pipeline (for example tables whose updates and deletes
/// cannot be replicated until they get a replica identity).
/// </summary>
public sealed record PostgresSourcePlan(
    IReadOnlyList<TableName> Tables,
    bool SlotExists,
    bool PublicationCreated,
    IReadOnlyList<TableName> TablesAddedToPublication,
    IReadOnlyList<string> Warnings);
