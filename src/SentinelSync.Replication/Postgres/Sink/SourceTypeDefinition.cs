using System.Text;
using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// A user-defined type as the source defines it (<c>pg_type</c>): enough to write its <c>CREATE</c> statement and
/// to find what it needs first. <see cref="Name"/> and <see cref="Schema"/> are quoted identifiers.
/// </summary>
internal sealed record SourceTypeDefinition(
    uint Oid,
    char Kind,
    string Name,
    string Schema,
    uint ElementOid,
    string? Extension,
    string? ExtensionSchema,
    uint RelationOid,
    uint BaseOid,
    string BaseType,
    bool NotNull,
    string? Default)
{
    public static async Task<SourceTypeDefinition?> ReadAsync(NpgsqlConnection source, uint oid, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgresTypeSql.SelectType, source);
        command.Parameters.Add(new NpgsqlParameter { Value = oid, DataTypeName = "oid" });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new SourceTypeDefinition(
            oid,
            reader.GetString(0)[0],
            reader.GetString(1),
            reader.GetString(2),
            reader.GetFieldValue<uint>(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.GetFieldValue<uint>(6),
            reader.GetFieldValue<uint>(7),
            reader.IsDBNull(8) ? "" : reader.GetString(8),
            reader.GetBoolean(9),
            reader.IsDBNull(10) ? null : reader.GetString(10));
    }

    /// <summary>Types this one is made of, which must exist before it: attributes, base type, subtype, range.</summary>
    public async Task<IReadOnlyList<uint>> InnerTypesAsync(NpgsqlConnection source, CancellationToken cancellationToken) => Kind switch
    {
        'c' => (await RowsAsync(source, PostgresTypeSql.SelectCompositeAttributes, RelationOid, r => r.GetFieldValue<uint>(2), cancellationToken).ConfigureAwait(false)),
        'd' => [BaseOid],
        'r' => (await RowsAsync(source, PostgresTypeSql.SelectRange, Oid, r => r.GetFieldValue<uint>(1), cancellationToken).ConfigureAwait(false)),
        'm' => (await RowsAsync(source, PostgresTypeSql.SelectMultirangeRange, Oid, r => r.GetFieldValue<uint>(0), cancellationToken).ConfigureAwait(false)),
        _ => [],
    };

    /// <summary>User functions this type calls (a domain's default and CHECKs, a range's subtype_diff).</summary>
    public async Task<IReadOnlyList<uint>> FunctionsAsync(NpgsqlConnection source, CancellationToken cancellationToken) => Kind switch
    {
        'd' => await RowsAsync(source, PostgresTypeSql.SelectDomainFunctions, Oid, r => r.GetFieldValue<uint>(0), cancellationToken).ConfigureAwait(false),
        'r' => (await RowsAsync(source, PostgresTypeSql.SelectRange, Oid, r => r.GetFieldValue<uint>(5), cancellationToken).ConfigureAwait(false)).Where(f => f != 0).ToList(),
        _ => [],
    };

    /// <summary>
    /// The statement creating this type; null for a multirange (its range creates it).
    /// </summary>
    /// <exception cref="TypeCreationFailedException">A base type, or a range with a canonical function: both need C code SentinelSync cannot write.</exception>
    public async Task<string?> CreateStatementAsync(NpgsqlConnection source, CancellationToken cancellationToken)
    {
        switch (Kind)
        {
            case 'e':
                var labels = await ListAsync(source, PostgresTypeSql.SelectEnumLabels, Oid, cancellationToken).ConfigureAwait(false);
                return Format(PostgresTypeSql.CreateEnumTemplate, Name, string.Join(", ", labels));

            case 'c':
                var attributes = await RowsAsync(source, PostgresTypeSql.SelectCompositeAttributes, RelationOid, r => r.GetString(0) + " " + r.GetString(1), cancellationToken).ConfigureAwait(false);
                return Format(PostgresTypeSql.CreateCompositeTemplate, Name, string.Join(", ", attributes));

            case 'd':
                var domain = new StringBuilder();
                if (Default is not null)
                {
                    domain.Append(" DEFAULT ").Append(Default);
                }

                if (NotNull)
                {
                    domain.Append(" NOT NULL");
                }

                foreach (var check in await RowsAsync(source, PostgresTypeSql.SelectDomainChecks, Oid, r => $" CONSTRAINT {r.GetString(0)} {r.GetString(1)}", cancellationToken).ConfigureAwait(false))
                {
                    domain.Append(check);
                }

                return Format(PostgresTypeSql.CreateDomainTemplate, Name, BaseType, domain.ToString());

            case 'r':
                var range = (await RowsAsync(
                    source,
                    PostgresTypeSql.SelectRange,
                    Oid,
                    r => (Subtype: r.GetString(0), Multirange: r.GetString(2), OpClass: r.IsDBNull(3) ? null : r.GetString(3), Collation: r.IsDBNull(4) ? null : r.GetString(4), SubDiff: r.IsDBNull(6) ? null : r.GetString(6), Canonical: r.GetFieldValue<uint>(7)),
                    cancellationToken).ConfigureAwait(false)).Single();
                var options = new List<string> { $"SUBTYPE = {range.Subtype}" };
                if (range.OpClass is not null)
                {
                    options.Add($"SUBTYPE_OPCLASS = {range.OpClass}");
                }

                if (range.Collation is not null)
                {
                    options.Add($"COLLATION = {range.Collation}");
                }

                if (range.SubDiff is not null)
                {
                    options.Add($"SUBTYPE_DIFF = {range.SubDiff}");
                }

                options.Add($"MULTIRANGE_TYPE_NAME = {range.Multirange}");
                var statement = Format(PostgresTypeSql.CreateRangeTemplate, Name, string.Join(", ", options));
                return range.Canonical == 0
                    ? statement
                    : throw new TypeCreationFailedException(Name, statement + " with its CANONICAL function", "SentinelSync cannot write: a canonical function is C code; create the type at the destination by hand, or map it");

            case 'm':
                return null;

            default:
                throw new TypeCreationFailedException(Name, $"CREATE TYPE {Name} (INPUT = …, OUTPUT = …)", "SentinelSync cannot write: a base type outside an extension is C code; create it at the destination by hand (or package it as an extension), or map it");
        }
    }

    /// <summary>The first column of every row, as text.</summary>
    public static async Task<List<string>> ListAsync(NpgsqlConnection connection, string sql, object parameter, CancellationToken cancellationToken) =>
        await RowsAsync(connection, sql, parameter, r => r.GetString(0), cancellationToken).ConfigureAwait(false);

    private static async Task<List<T>> RowsAsync<T>(NpgsqlConnection connection, string sql, object parameter, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(parameter is uint oid ? new NpgsqlParameter { Value = oid, DataTypeName = "oid" } : new NpgsqlParameter { Value = parameter });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static string Format(string template, params object[] arguments) => string.Format(System.Globalization.CultureInfo.InvariantCulture, template, arguments);
}
