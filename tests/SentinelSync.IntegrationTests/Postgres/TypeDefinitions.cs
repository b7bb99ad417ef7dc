using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres;

/// <summary>
/// The user-defined types and extensions of a database as one comparable text: what a destination must have
/// created to hold the source's columns exactly (enum labels in order, composite attributes, domain base type,
/// NOT NULL, default and CHECKs, range subtype and multirange).
/// </summary>
internal static class TypeDefinitions
{
    private const string Sql = """
        SELECT coalesce(string_agg(d, E'\n' ORDER BY d), '') FROM (
          SELECT format('%s.%s %s %s', n.nspname, t.typname, t.typtype,
            CASE t.typtype
              WHEN 'e' THEN (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid)
              WHEN 'c' THEN (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attnum)
                             FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped)
              WHEN 'd' THEN concat_ws(' ', format_type(t.typbasetype, t.typtypmod), t.typnotnull, pg_get_expr(t.typdefaultbin, 0),
                             (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ',' ORDER BY conname) FROM pg_constraint WHERE contypid = t.oid))
              WHEN 'r' THEN (SELECT format_type(rngsubtype, NULL) || ' ' || rngmultitypid::regtype::text FROM pg_range WHERE rngtypid = t.oid)
              ELSE '' END) AS d
          FROM pg_type t
          JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '_sentinel')
            AND t.typtype IN ('e', 'c', 'd', 'r', 'm')
            AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
            AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
          UNION ALL
          SELECT 'extension ' || extname FROM pg_extension
        ) s
        """;

    public static Task<string> ReadAsync(PostgresDatabase database) => database.ScalarAsync<string>(Sql);
}
