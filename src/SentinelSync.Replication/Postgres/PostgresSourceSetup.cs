using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Prepares a source database for CDC: checks the prerequisites (wal_level, REPLICATION privilege, a free
/// slot, table ownership), resolves <see cref="PostgresSourceOptions.Tables"/> against the catalog, and
/// creates the publication or adds the missing tables to it. Every problem found is reported at once in a
/// <see cref="PostgresSetupException"/>, in plain words. It never drops a slot and never removes tables from
/// a publication; creating the slot itself is <see cref="PostgresReplicationSlots"/>' job.
/// </summary>
public sealed partial class PostgresSourceSetup
{
    private const string PrerequisitesSql = """
        SELECT current_setting('wal_level'),
               current_user::text,
               r.rolreplication OR r.rolsuper,
               current_setting('max_replication_slots')::int,
               (SELECT count(*) FROM pg_replication_slots)::int,
               s.slot_name IS NOT NULL,
               s.plugin::text,
               s.database::text,
               current_database()::text
        FROM pg_roles r
        LEFT JOIN pg_replication_slots s ON s.slot_name = $1
        WHERE r.rolname = current_user
        """;

    // Ordinary ('r') and partitioned ('p') tables of the schemas named in the selection. has_identity says
    // whether updates and deletes can be published: FULL always, DEFAULT with a primary key, INDEX with its index.
    private const string CandidateTablesSql = """
        SELECT n.nspname::text, c.relname::text, c.relispartition, c.relkind = 'p',
               CASE c.relreplident
                   WHEN 'f' THEN true
                   WHEN 'n' THEN false
                   WHEN 'i' THEN EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)
                   ELSE EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
               END,
               pg_has_role(c.relowner, 'USAGE'),
               has_table_privilege(c.oid, 'SELECT')
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY ($1)
        ORDER BY n.nspname, c.relname
        """;

    private const string PublicationSql = "SELECT puballtables, pubviaroot FROM pg_publication WHERE pubname = $1";

    private const string PublicationTablesSql = "SELECT schemaname::text, tablename::text FROM pg_publication_tables WHERE pubname = $1";

    private const string CanCreateInDatabaseSql = "SELECT has_database_privilege(current_database(), 'CREATE')";

    private readonly PostgresSourceOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the setup for validated <paramref name="options"/>.</summary>
    public PostgresSourceSetup(PostgresSourceOptions options, ILogger<PostgresSourceSetup>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateOrThrow();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Checks prerequisites, resolves the tables and brings the publication up to date. Throws
    /// <see cref="PostgresSetupException"/> listing every problem; <see cref="NpgsqlException"/> when the
    /// server cannot be reached.
    /// </summary>
    public async Task<PostgresSourcePlan> PrepareAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(_options.Connection);
        await connection.OpenAsync(cancellationToken);

        var problems = new List<string>();
        var warnings = new List<string>();
        var prerequisites = await ReadPrerequisitesAsync(connection, _options.Slot, cancellationToken);
        problems.AddRange(prerequisites.Problems(_options.Slot));

        var candidates = await ReadCandidatesAsync(connection, cancellationToken);
        var selected = Resolve(candidates, problems);

        var (exists, allTables, viaRoot) = await ReadPublicationAsync(connection, cancellationToken);
        var published = exists ? await ReadPublishedAsync(connection, cancellationToken) : [];
        var missing = allTables ? [] : selected.Where(t => !published.Contains(t.Name)).ToList();

        foreach (var table in missing.Where(t => !t.Owned))
        {
            problems.Add($"role '{prerequisites.Role}' does not own table {table.Name} and cannot add it to publication '{_options.Publication}': run ALTER TABLE {PostgresIdentifier.Quote(table.Name)} OWNER TO {PostgresIdentifier.Quote(prerequisites.Role)}, or have the owner run ALTER PUBLICATION {PostgresIdentifier.Quote(_options.Publication)} ADD TABLE {PostgresIdentifier.Quote(table.Name)}.");
        }

        if (!exists && !await ScalarAsync<bool>(connection, CanCreateInDatabaseSql, [], cancellationToken))
        {
            problems.Add($"role '{prerequisites.Role}' may not create publication '{_options.Publication}' in database '{prerequisites.Database}': grant CREATE on the database, or create the publication as its owner.");
        }

        if (_options.CopiesSnapshot && !prerequisites.SlotExists)
        {
            foreach (var table in selected.Where(t => !t.Readable))
            {
                problems.Add($"role '{prerequisites.Role}' may not SELECT from {table.Name}, which the initial snapshot copies: GRANT SELECT ON {PostgresIdentifier.Quote(table.Name)} TO {PostgresIdentifier.Quote(prerequisites.Role)}.");
            }
        }

        if (problems.Count > 0)
        {
            throw new PostgresSetupException(problems);
        }

        foreach (var table in selected.Where(t => !t.HasIdentity))
        {
            var warning = $"table {table.Name} has no primary key or replica identity: its inserts replicate, but Postgres rejects UPDATE and DELETE on it while it is published. Fix: ALTER TABLE {PostgresIdentifier.Quote(table.Name)} REPLICA IDENTITY FULL, or add a primary key.";
            warnings.Add(warning);
            LogNoReplicaIdentity(table.Name);
        }

        if (exists && !viaRoot && selected.Any(t => t.IsPartitionedRoot))
        {
            warnings.Add($"publication '{_options.Publication}' was not created with publish_via_partition_root = true: changes of partitioned tables arrive under their partitions' names.");
        }

        if (!exists)
        {
            await ExecuteAsync(connection, CreatePublicationSql(_options.Publication, selected.Select(t => t.Name)), cancellationToken);
            LogPublicationCreated(_options.Publication, selected.Count);
        }
        else if (missing.Count > 0)
        {
            await ExecuteAsync(connection, AddTablesSql(_options.Publication, missing.Select(t => t.Name)), cancellationToken);
            LogTablesAdded(_options.Publication, missing.Count);
        }

        return new PostgresSourcePlan(
            selected.Select(t => t.Name).ToList(),
            prerequisites.SlotExists,
            PublicationCreated: !exists,
            TablesAddedToPublication: exists ? missing.Select(t => t.Name).ToList() : [],
            warnings);
    }

    // DDL takes no parameters: identifiers are quoted instead.
    internal static string CreatePublicationSql(string publication, IEnumerable<TableName> tables) =>
        $"CREATE PUBLICATION {PostgresIdentifier.Quote(publication)} FOR TABLE {string.Join(", ", tables.Select(PostgresIdentifier.Quote))} WITH (publish_via_partition_root = true)";

    internal static string AddTablesSql(string publication, IEnumerable<TableName> tables) =>
        $"ALTER PUBLICATION {PostgresIdentifier.Quote(publication)} ADD TABLE {string.Join(", ", tables.Select(PostgresIdentifier.Quote))}";

    private List<Candidate> Resolve(IReadOnlyList<Candidate> candidates, List<string> problems)
    {
        var selected = new List<Candidate>();
        var seen = new HashSet<TableName>();
        foreach (var selector in _options.ParseTables())
        {
            var matches = candidates
                .Where(c => c.Name.Schema == selector.Schema && (selector.IsPattern ? !c.IsPartition : c.Name.Name == selector.Table))
                .ToList();
            if (matches.Count == 0)
            {
                problems.Add(selector.IsPattern
                    ? $"pattern '{selector}' matches no table: schema '{selector.Schema}' has no ordinary or partitioned table (names are case-sensitive)."
                    : $"table '{selector}' does not exist (or is not an ordinary or partitioned table; names are case-sensitive).");
            }

            selected.AddRange(matches.Where(m => seen.Add(m.Name)));
        }

        return selected;
    }

    private static async Task<SourcePrerequisites> ReadPrerequisitesAsync(NpgsqlConnection connection, string slot, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, PrerequisitesSql, [slot]);
        return await ReadSingleAsync(command, r => new SourcePrerequisites(
            r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetInt32(3), r.GetInt32(4), r.GetBoolean(5),
            r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8)), cancellationToken);
    }

    private async Task<IReadOnlyList<Candidate>> ReadCandidatesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var schemas = _options.ParseTables().Select(s => s.Schema).Distinct().ToArray();
        var candidates = new List<Candidate>();
        await using var command = Command(connection, CandidateTablesSql, [schemas]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            candidates.Add(new Candidate(
                new TableName(reader.GetString(0), reader.GetString(1)),
                IsPartition: reader.GetBoolean(2),
                IsPartitionedRoot: reader.GetBoolean(3),
                HasIdentity: reader.GetBoolean(4),
                Owned: reader.GetBoolean(5),
                Readable: reader.GetBoolean(6)));
        }

        return candidates;
    }

    private async Task<(bool Exists, bool AllTables, bool ViaRoot)> ReadPublicationAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, PublicationSql, [_options.Publication]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (true, reader.GetBoolean(0), reader.GetBoolean(1)) : (false, false, false);
    }

    private async Task<HashSet<TableName>> ReadPublishedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var published = new HashSet<TableName>();
        await using var command = Command(connection, PublicationTablesSql, [_options.Publication]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            published.Add(new TableName(reader.GetString(0), reader.GetString(1)));
        }

        return published;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, object?[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, parameters);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<T> ReadSingleAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("The prerequisite query returned no row: the current role is not in pg_roles.");
        }

        return read(reader);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }

    private sealed record Candidate(TableName Name, bool IsPartition, bool IsPartitionedRoot, bool HasIdentity, bool Owned, bool Readable);
}
