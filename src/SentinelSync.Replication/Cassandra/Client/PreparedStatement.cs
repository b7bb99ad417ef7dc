using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>A statement prepared on the cluster: its id, bind variables with their types, and which of them form the partition key.</summary>
public sealed record PreparedStatement(string Query, PreparedResult Result)
{
    public byte[] Id => Result.Id;

    public IReadOnlyList<CqlColumn> Variables => Result.Variables;

    /// <summary>Serializes <paramref name="values"/> by the variables' types; <see cref="CqlValue.Unset"/> passes as is.</summary>
    public CqlValue[] Bind(IReadOnlyList<object?> values)
    {
        if (values.Count != Variables.Count)
        {
            throw new CqlValueException($"'{Query}' has {Variables.Count} bind variables, {values.Count} values were given");
        }

        var bound = new CqlValue[values.Count];
        for (var i = 0; i < bound.Length; i++)
        {
            try
            {
                bound[i] = values[i] is CqlValue raw ? raw : CqlValue.Of(CqlValueCodec.Encode(Variables[i].Type, values[i]));
            }
            catch (CqlValueException e)
            {
                throw new CqlValueException($"column {Variables[i].Name} of '{Query}': {e.Message}");
            }
        }

        return bound;
    }

    /// <summary>The routing key of bound values (null when the statement has no partition key or a key value is missing).</summary>
    public byte[]? RoutingKey(IReadOnlyList<CqlValue> bound)
    {
        var indexes = Result.PartitionKeyIndexes;
        if (indexes.Count == 0 || indexes.Any(i => bound[i].Bytes is null))
        {
            return null;
        }

        return Murmur3Token.RoutingKey([.. indexes.Select(i => bound[i].Bytes!)]);
    }
}
