using System.Globalization;
using Npgsql;

namespace SentinelSync.Replication.Resync;

/// <summary>
/// A mark a table resync writes into the source's WAL with <c>pg_logical_emit_message(true, ...)</c>: a
/// transaction of its own, so the slot's stream delivers it in commit order among the table's changes. The
/// content names the slot (several pipelines may read one database), the resync run (marks of an earlier,
/// interrupted run are ignored) and the chunk.
/// </summary>
internal readonly record struct ResyncWatermark(string Slot, string ResyncId, int Chunk, ResyncWatermarkKind Kind)
{
    /// <summary>The logical decoding message prefix of every resync mark.</summary>
    public const string Prefix = "sentinel.resync";

    public string Content => string.Create(CultureInfo.InvariantCulture, $"{Slot}/{ResyncId}/{Chunk}/{(char)Kind}");

    public static bool TryParse(string content, out ResyncWatermark watermark)
    {
        watermark = default;
        var parts = content.Split('/');
        if (parts.Length != 4
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var chunk)
            || parts[3].Length != 1
            || !Enum.IsDefined((ResyncWatermarkKind)parts[3][0]))
        {
            return false;
        }

        watermark = new ResyncWatermark(parts[0], parts[1], chunk, (ResyncWatermarkKind)parts[3][0]);
        return true;
    }

    /// <summary>Writes the mark in a transaction of its own (the connection must not be inside one).</summary>
    public async Task EmitAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_logical_emit_message(true, $1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Prefix });
        command.Parameters.Add(new NpgsqlParameter { Value = Content });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>What a <see cref="ResyncWatermark"/> marks.</summary>
internal enum ResyncWatermarkKind : ushort
{
    /// <summary>The resync begins: the destination table is emptied here.</summary>
    Start = 'S',

    /// <summary>Before a chunk is read: from here, streamed changes of its keys win over the chunk's rows.</summary>
    Low = 'L',

    /// <summary>After the chunk was read: its rows no streamed change superseded are applied here.</summary>
    High = 'H',
}
