using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Creates user-defined types at a Postgres destination from their definitions at the source, like the sink
/// creates tables: enums (labels in order), composites, domains (base type, default, NOT NULL, CHECK constraints
/// and the SQL functions they call), ranges (with their multirange), arrays of any of them, and extension types
/// through <c>CREATE EXTENSION IF NOT EXISTS … CASCADE</c>; dependencies first. The definitions are read from the
/// source database when a type is found missing, by the OID the change stream carries with each column
/// (<see cref="ColumnSchema.TypeOid"/>); the pipeline gives the sink the source's connection string for that.
/// DDL runs in the caller's transaction, under an advisory lock that serialises type creation.
/// </summary>
internal sealed partial class PostgresDestinationTypes(string sourceConnection, ILogger logger) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(sourceConnection);
    private readonly ILogger _logger = logger;

    /// <summary>Creates the source type <paramref name="typeOid"/> and what it needs wherever the destination lacks them.</summary>
    /// <exception cref="TypeCreationFailedException">A statement failed, or the type cannot be created from its definition.</exception>
    public async Task EnsureAsync(NpgsqlConnection destination, uint typeOid, CancellationToken cancellationToken)
    {
        await ExecuteAsync(destination, PostgresTypeSql.LockTypes, "", cancellationToken).ConfigureAwait(false);
        await using var source = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await new Walk(this, source, destination, cancellationToken).TypeAsync(typeOid).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds to the destination's enums the labels the source has since added (<c>ADD VALUE</c>, in the source's
    /// order), for every enum the given types use; returns how many were added. Run in a transaction of its own:
    /// a label added inside a transaction cannot be used before it commits.
    /// </summary>
    public async Task<int> AddMissingEnumLabelsAsync(NpgsqlConnection destination, IEnumerable<uint> typeOids, CancellationToken cancellationToken)
    {
        await ExecuteAsync(destination, PostgresTypeSql.LockTypes, "", cancellationToken).ConfigureAwait(false);
        await using var source = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var walk = new Walk(this, source, destination, cancellationToken);
        var added = 0;
        foreach (var oid in typeOids.Distinct())
        {
            added += await walk.EnumLabelsAsync(oid).ConfigureAwait(false);
        }

        return added;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, string typeName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is "42501" or "58P01" || !PostgresErrorClassifier.IsTransientSqlState(e.SqlState))
        {
            // A privilege or a missing extension package is for an operator to fix: name what failed.
            throw new TypeCreationFailedException(typeName, sql, $"failed at the destination: {e.SqlState}: {e.MessageText}", e);
        }
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection destination, string sql, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, destination);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static string Format(string template, params object[] arguments) => string.Format(CultureInfo.InvariantCulture, template, arguments);

    /// <summary>One creation: the source connection, the destination's transaction, what was visited.</summary>
    private sealed class Walk(PostgresDestinationTypes owner, NpgsqlConnection source, NpgsqlConnection destination, CancellationToken cancellationToken)
    {
        private readonly HashSet<uint> _types = [];
        private readonly HashSet<uint> _functions = [];
        private readonly HashSet<string> _extensions = new(StringComparer.Ordinal);

        public async Task TypeAsync(uint oid)
        {
            if (oid < PostgresTypeSql.FirstUserOid || !_types.Add(oid))
            {
                return;
            }

            var type = await SourceTypeDefinition.ReadAsync(source, oid, cancellationToken).ConfigureAwait(false)
                ?? throw new TypeCreationFailedException($"type OID {oid}", "CREATE TYPE …", "cannot be written: the source has no such type any more");
            if (type.ElementOid != 0)
            {
                // An array type comes with its element type.
                await TypeAsync(type.ElementOid).ConfigureAwait(false);
                return;
            }

            if (type.Extension is not null)
            {
                await ExtensionAsync(type.Extension, type.ExtensionSchema!, type.Name).ConfigureAwait(false);
                return;
            }

            if (await ExistsAsync(destination, PostgresTypeSql.TypeExists, type.Name, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var create = await CreateStatementAsync(type).ConfigureAwait(false);
            if (create is null)
            {
                return;
            }

            await ExecuteAsync(destination, Format(PostgresTypeSql.CreateSchemaTemplate, type.Schema), type.Name, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(destination, create, type.Name, cancellationToken).ConfigureAwait(false);
            LogTypeCreated(owner._logger, type.Name, create);
        }

        public async Task<int> EnumLabelsAsync(uint oid)
        {
            if (oid < PostgresTypeSql.FirstUserOid || !_types.Add(oid))
            {
                return 0;
            }

            var type = await SourceTypeDefinition.ReadAsync(source, oid, cancellationToken).ConfigureAwait(false);
            if (type is null || type.Extension is not null)
            {
                return 0;
            }

            var added = 0;
            foreach (var inner in await type.InnerTypesAsync(source, cancellationToken).ConfigureAwait(false))
            {
                added += await EnumLabelsAsync(inner).ConfigureAwait(false);
            }

            if (type.Kind != 'e')
            {
                return added;
            }

            var wanted = await SourceTypeDefinition.ListAsync(source, PostgresTypeSql.SelectEnumLabels, oid, cancellationToken).ConfigureAwait(false);
            var present = await SourceTypeDefinition.ListAsync(destination, PostgresTypeSql.SelectDestinationEnumLabels, type.Name, cancellationToken).ConfigureAwait(false);
            if (present.Count == 0)
            {
                return added;
            }

            for (var i = 0; i < wanted.Count; i++)
            {
                if (present.Contains(wanted[i]))
                {
                    continue;
                }

                // After the label that precedes it at the source (added just before, if it was missing too).
                var sql = i == 0
                    ? Format(PostgresTypeSql.AddEnumValueBeforeTemplate, type.Name, wanted[i], present[0])
                    : Format(PostgresTypeSql.AddEnumValueAfterTemplate, type.Name, wanted[i], wanted[i - 1]);
                await ExecuteAsync(destination, sql, type.Name, cancellationToken).ConfigureAwait(false);
                present.Add(wanted[i]);
                LogEnumValueAdded(owner._logger, type.Name, wanted[i]);
                added++;
            }

            return added;
        }

        private async Task<string?> CreateStatementAsync(SourceTypeDefinition type)
        {
            foreach (var inner in await type.InnerTypesAsync(source, cancellationToken).ConfigureAwait(false))
            {
                await TypeAsync(inner).ConfigureAwait(false);
            }

            foreach (var function in await type.FunctionsAsync(source, cancellationToken).ConfigureAwait(false))
            {
                await FunctionAsync(function).ConfigureAwait(false);
            }

            return await type.CreateStatementAsync(source, cancellationToken).ConfigureAwait(false);
        }

        private async Task FunctionAsync(uint oid)
        {
            if (oid < PostgresTypeSql.FirstUserOid || !_functions.Add(oid))
            {
                return;
            }

            var function = await SourceFunctionDefinition.ReadAsync(source, oid, cancellationToken).ConfigureAwait(false);
            if (function is null)
            {
                return;
            }

            if (function.Extension is not null)
            {
                await ExtensionAsync(function.Extension, function.ExtensionSchema!, function.Signature).ConfigureAwait(false);
                return;
            }

            if (await ExistsAsync(destination, PostgresTypeSql.FunctionExists, function.Signature, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            foreach (var type in function.TypeOids)
            {
                await TypeAsync(type).ConfigureAwait(false);
            }

            await ExecuteAsync(destination, Format(PostgresTypeSql.CreateSchemaTemplate, function.Schema), function.Signature, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(destination, function.Definition, function.Signature, cancellationToken).ConfigureAwait(false);
            LogFunctionCreated(owner._logger, function.Signature);
        }

        private async Task ExtensionAsync(string extension, string schema, string forName)
        {
            if (!_extensions.Add(extension))
            {
                return;
            }

            await ExecuteAsync(destination, Format(PostgresTypeSql.CreateSchemaTemplate, schema), forName, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(destination, Format(PostgresTypeSql.CreateExtensionTemplate, extension, schema), forName, cancellationToken).ConfigureAwait(false);
            LogExtensionEnsured(owner._logger, extension, forName);
        }
    }
}
