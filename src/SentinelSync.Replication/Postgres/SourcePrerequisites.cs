namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Facts about the source server and role that decide whether CDC can run, read in one query by
/// <see cref="PostgresSourceSetup"/>; <see cref="Problems"/> turns them into plain-language sentences.
/// </summary>
internal sealed record SourcePrerequisites(
    string WalLevel,
    string Role,
    bool CanReplicate,
    int MaxReplicationSlots,
    int UsedReplicationSlots,
    bool SlotExists,
    string? SlotPlugin,
    string? SlotDatabase,
    string Database)
{
    public IEnumerable<string> Problems(string slot)
    {
        if (!string.Equals(WalLevel, "logical", StringComparison.Ordinal))
        {
            yield return $"wal_level is '{WalLevel}' but logical replication needs 'logical': run ALTER SYSTEM SET wal_level = logical (or set it in postgresql.conf) and restart the server.";
        }

        if (!CanReplicate)
        {
            yield return $"role '{Role}' lacks the REPLICATION privilege needed to create and read a replication slot: run ALTER ROLE {PostgresIdentifier.Quote(Role)} REPLICATION as a superuser, or connect as a role that has it.";
        }

        if (!SlotExists && UsedReplicationSlots >= MaxReplicationSlots)
        {
            yield return $"all {MaxReplicationSlots} replication slots (max_replication_slots) are in use, so slot '{slot}' cannot be created: drop an unused slot (see pg_replication_slots) or raise max_replication_slots and restart the server.";
        }

        if (SlotExists && !string.Equals(SlotPlugin, "pgoutput", StringComparison.Ordinal))
        {
            yield return $"slot '{slot}' exists but uses the output plugin '{SlotPlugin}' instead of pgoutput: choose another slot name (SentinelSync never drops slots).";
        }

        if (SlotExists && SlotDatabase is not null && !string.Equals(SlotDatabase, Database, StringComparison.Ordinal))
        {
            yield return $"slot '{slot}' exists but belongs to database '{SlotDatabase}', not '{Database}': choose another slot name.";
        }
    }
}
