namespace SentinelSync.Replication.Kafka;

/// <summary>
/// The Kafka sink's control-database statements: its applied positions live in <c>sentinel.kafka_offsets</c>
/// (Kafka cannot hold them in the same transaction as the messages), one row per (pipeline/sink, source table).
/// </summary>
internal static class KafkaSinkSql
{
    public const string CreateControlTables = """
        SELECT pg_advisory_xact_lock(hashtextextended('sentinel:kafka-control-tables', 0));
        CREATE SCHEMA IF NOT EXISTS sentinel;
        CREATE TABLE IF NOT EXISTS sentinel.kafka_offsets (
            sink         text        NOT NULL,
            source_table text        NOT NULL,
            lsn          pg_lsn      NOT NULL,
            ordinal      bigint      NOT NULL,
            epoch        bigint      NOT NULL,
            updated_at   timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (sink, source_table)
        );
        """;

    public const string SelectOffsetForUpdate = """
        SELECT lsn, ordinal, epoch, updated_at FROM sentinel.kafka_offsets
        WHERE sink = $1 AND source_table = $2
        FOR UPDATE
        """;

    public const string SelectOffset = """
        SELECT lsn, ordinal, epoch, updated_at FROM sentinel.kafka_offsets
        WHERE sink = $1 AND source_table = $2
        """;

    public const string InsertOffsetIfMissing = """
        INSERT INTO sentinel.kafka_offsets (sink, source_table, lsn, ordinal, epoch)
        VALUES ($1, $2, '0/0', 0, 0)
        ON CONFLICT (sink, source_table) DO NOTHING
        """;

    public const string UpdateOffset = """
        UPDATE sentinel.kafka_offsets
        SET lsn = $3, ordinal = $4, epoch = $5, updated_at = now()
        WHERE sink = $1 AND source_table = $2
        """;
}
