namespace SentinelSync.Replication.Postgres;

/// <summary>
/// SQL of <see cref="PostgresDestinationTypes"/>. The queries run at the source and return every name and
/// expression already spelled by the server (<c>format('%I.%I')</c>, <c>format_type</c>,
/// <c>pg_get_constraintdef</c>, <c>pg_get_expr</c>, <c>quote_literal</c>), so the DDL built from them needs no
/// quoting of ours. Objects below <see cref="FirstUserOid"/> are built in and exist everywhere.
/// </summary>
internal static class PostgresTypeSql
{
    public const uint FirstUserOid = 16384;

    /// <summary>
    /// $1: type OID. Kind (b, c, d, e, r, m), qualified name, the element type of an array, the owning extension
    /// and its schema, the composite's relation, the domain's base type, NOT NULL and default.
    /// </summary>
    public const string SelectType = """
        SELECT t.typtype::text,
               format('%I.%I', n.nspname, t.typname),
               quote_ident(n.nspname),
               CASE WHEN t.typelem <> 0 AND t.typsubscript = 'array_subscript_handler'::regproc THEN t.typelem ELSE 0 END::oid,
               quote_ident(e.extname),
               quote_ident(en.nspname),
               t.typrelid,
               t.typbasetype,
               format_type(t.typbasetype, t.typtypmod),
               t.typnotnull,
               pg_get_expr(t.typdefaultbin, 0)
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
        LEFT JOIN pg_extension e ON e.oid = d.refobjid
        LEFT JOIN pg_namespace en ON en.oid = e.extnamespace
        WHERE t.oid = $1
        """;

    /// <summary>$1: the composite's relation. Attributes in order: name (quoted), type, type OID.</summary>
    public const string SelectCompositeAttributes = """
        SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.atttypid
        FROM pg_attribute a
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    /// <summary>$1: enum type OID. Labels as literals, in sort order.</summary>
    public const string SelectEnumLabels = "SELECT quote_literal(enumlabel) FROM pg_enum WHERE enumtypid = $1 ORDER BY enumsortorder";

    /// <summary>$1: domain OID. CHECK constraints: name (quoted) and definition.</summary>
    public const string SelectDomainChecks = """
        SELECT quote_ident(conname), pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE contypid = $1 AND contype = 'c'
        ORDER BY conname
        """;

    /// <summary>$1: range OID. Subtype, its OID, the multirange's qualified name, a non-default operator class and collation, the subtype_diff function.</summary>
    public const string SelectRange = """
        SELECT format_type(r.rngsubtype, NULL),
               r.rngsubtype,
               format('%I.%I', mn.nspname, m.typname),
               CASE WHEN NOT oc.opcdefault THEN format('%I.%I', ocn.nspname, oc.opcname) END,
               CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN format('%I.%I', cn.nspname, c.collname) END,
               r.rngsubdiff::oid,
               CASE WHEN r.rngsubdiff <> 0 THEN format('%I.%I', pn.nspname, p.proname) END,
               r.rngcanonical::oid
        FROM pg_range r
        JOIN pg_type st ON st.oid = r.rngsubtype
        JOIN pg_type m ON m.oid = r.rngmultitypid
        JOIN pg_namespace mn ON mn.oid = m.typnamespace
        JOIN pg_opclass oc ON oc.oid = r.rngsubopc
        JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
        LEFT JOIN pg_collation c ON c.oid = r.rngcollation
        LEFT JOIN pg_namespace cn ON cn.oid = c.collnamespace
        LEFT JOIN pg_proc p ON p.oid = r.rngsubdiff
        LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
        WHERE r.rngtypid = $1
        """;

    /// <summary>$1: multirange OID. Its range type.</summary>
    public const string SelectMultirangeRange = "SELECT rngtypid FROM pg_range WHERE rngmultitypid = $1";

    /// <summary>
    /// $1: domain OID. Functions its default and CHECK constraints call (the dependencies Postgres recorded),
    /// which must exist before the domain can be created.
    /// </summary>
    public const string SelectDomainFunctions = """
        SELECT DISTINCT d.refobjid
        FROM pg_depend d
        WHERE d.refclassid = 'pg_proc'::regclass
          AND ((d.classid = 'pg_type'::regclass AND d.objid = $1)
            OR (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE contypid = $1)))
        """;

    /// <summary>
    /// $1: function OID. Its signature (for the existence check), owning extension, full definition, and the
    /// types of its arguments and result.
    /// </summary>
    public const string SelectFunction = """
        SELECT format('%I.%I(%s)', n.nspname, p.proname, oidvectortypes(p.proargtypes)),
               quote_ident(n.nspname),
               quote_ident(e.extname),
               quote_ident(en.nspname),
               pg_get_functiondef(p.oid),
               ARRAY(SELECT d.refobjid FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_type'::regclass)::oid[]
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
        LEFT JOIN pg_extension e ON e.oid = d.refobjid
        LEFT JOIN pg_namespace en ON en.oid = e.extnamespace
        WHERE p.oid = $1
        """;

    // At the destination.

    /// <summary>Creations of types are serialised: two tables needing the same type would otherwise race on the catalog.</summary>
    public const string LockTypes = "SELECT pg_advisory_xact_lock(hashtextextended('sentinel:types', 0))";

    public const string TypeExists = "SELECT to_regtype($1) IS NOT NULL";

    public const string FunctionExists = "SELECT to_regprocedure($1) IS NOT NULL";

    /// <summary>$1: qualified enum name. Labels as literals.</summary>
    public const string SelectDestinationEnumLabels = "SELECT quote_literal(enumlabel) FROM pg_enum WHERE enumtypid = to_regtype($1) ORDER BY enumsortorder";

    // Templates: every argument is spelled by a server (see above).
    public const string CreateSchemaTemplate = "CREATE SCHEMA IF NOT EXISTS {0}";
    public const string CreateExtensionTemplate = "CREATE EXTENSION IF NOT EXISTS {0} SCHEMA {1} CASCADE";
    public const string CreateEnumTemplate = "CREATE TYPE {0} AS ENUM ({1})";
    public const string AddEnumValueAfterTemplate = "ALTER TYPE {0} ADD VALUE IF NOT EXISTS {1} AFTER {2}";
    public const string AddEnumValueBeforeTemplate = "ALTER TYPE {0} ADD VALUE IF NOT EXISTS {1} BEFORE {2}";
    public const string CreateCompositeTemplate = "CREATE TYPE {0} AS ({1})";
    public const string CreateDomainTemplate = "CREATE DOMAIN {0} AS {1}{2}";
    public const string CreateRangeTemplate = "CREATE TYPE {0} AS RANGE ({1})";
}
