using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// Postgres type (format_type spelling) to CQL type. Exact where CQL has the type: integers, real/double, numeric as
/// decimal (arbitrary precision), boolean, bytea as blob, uuid, date, time (µs into ns), timestamp/timestamptz as
/// timestamp (UTC milliseconds) plus a <c>__micros</c> bigint companion, one-dimensional arrays of those as list.
/// Everything else keeps Postgres' exact text in a text column: json/jsonb, xml, interval, inet/cidr, money,
/// enums, domains, ranges, composite and extension types, multidimensional arrays.
/// </summary>
public static class CassandraTypeMapping
{
    public static CassandraColumnType Map(string postgresType)
    {
        ArgumentNullException.ThrowIfNull(postgresType);
        if (postgresType.EndsWith("[]", StringComparison.Ordinal))
        {
            var element = Map(postgresType[..^2]);
            return element.Conversion is CassandraConversion.List or CassandraConversion.Timestamp
                ? Text
                : new CassandraColumnType(CqlType.ListOf(element.Type), CassandraConversion.List, element.Conversion);
        }

        var name = postgresType;
        var parenthesis = name.IndexOf('(', StringComparison.Ordinal);
        if (parenthesis > 0)
        {
            var close = name.IndexOf(')', parenthesis);
            name = (name[..parenthesis] + (close > 0 ? name[(close + 1)..] : "")).Trim();
        }

        return name switch
        {
            "smallint" or "int2" => new(CqlType.Smallint, CassandraConversion.Smallint),
            "integer" or "int" or "int4" => new(CqlType.Int, CassandraConversion.Int),
            "bigint" or "int8" or "oid" => new(CqlType.Bigint, CassandraConversion.Bigint),
            "real" or "float4" => new(CqlType.Float, CassandraConversion.Float),
            "double precision" or "float8" => new(CqlType.Double, CassandraConversion.Double),
            "numeric" or "decimal" => new(CqlType.Decimal, CassandraConversion.Decimal),
            "boolean" or "bool" => new(CqlType.Boolean, CassandraConversion.Boolean),
            "bytea" => new(CqlType.Blob, CassandraConversion.Blob),
            "uuid" => new(CqlType.Uuid, CassandraConversion.Uuid),
            "date" => new(CqlType.Date, CassandraConversion.Date),
            "time without time zone" or "time" => new(CqlType.Time, CassandraConversion.Time),
            "timestamp without time zone" or "timestamp" or "timestamp with time zone" or "timestamptz" => new(CqlType.Timestamp, CassandraConversion.Timestamp),
            _ => Text,
        };
    }

    private static CassandraColumnType Text { get; } = new(CqlType.Varchar, CassandraConversion.Text);
}
