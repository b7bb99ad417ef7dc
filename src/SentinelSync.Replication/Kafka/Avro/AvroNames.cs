using System.Text;

namespace SentinelSync.Replication.Kafka.Avro;

/// <summary>
/// Avro names (<c>[A-Za-z_][A-Za-z0-9_]*</c>, dot-separated in namespaces) from Postgres identifiers and topic prefixes,
/// adjusted as Debezium's <c>schema.name.adjustment.mode=avro</c> and <c>field.name.adjustment.mode=avro</c> do: every
/// character that may not stand there becomes <c>_</c>.
/// </summary>
internal static class AvroNames
{
    /// <summary>One name part: <c>order-lines</c> → <c>order_lines</c>, <c>2024</c> → <c>_024</c>.</summary>
    public static string Adjust(string name)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var adjusted = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            adjusted.Append(char.IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c)) ? c : '_');
        }

        return adjusted.ToString();
    }

    /// <summary>A dotted full name, each part adjusted: <c>my-shop.public.orders</c> → <c>my_shop.public.orders</c>.</summary>
    public static string AdjustFull(string fullName) => string.Join('.', fullName.Split('.').Select(Adjust));
}
