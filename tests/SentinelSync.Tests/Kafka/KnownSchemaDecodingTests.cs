using System.Text;
using System.Text.Json;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka.Debezium;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Tests.Kafka;

/// <summary>
/// A message that starts with a schema block the decoder already read (as every compact JsonConverter message of a
/// table does after the first) has only its payload parsed: it must decode exactly as a whole message would, and
/// anything that is not exactly <c>{"schema":S,"payload":P}</c> must be read whole.
/// </summary>
public sealed class KnownSchemaDecodingTests
{
    private static readonly TableSchema s_items = new(new TableName("public", "items"), 1,
    [
        new ColumnSchema("id", "integer", 23, IsKey: true, 1),
        new ColumnSchema("price", "numeric(10,2)", 1700, IsKey: false, 2),
        new ColumnSchema("note", "text", 25, IsKey: false, 3),
        new ColumnSchema("seen", "timestamp with time zone", 1184, IsKey: false, 4),
    ]);

    private static (byte[] Key, byte[] Value) Written(int id, string price, ColumnValue note)
    {
        var change = new RowChange(ChangeKind.Update, new Position(100 + (ulong)id, 0), s_items,
            [ColumnValue.Of(id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ColumnValue.Of(price), note, ColumnValue.Of("2026-11-30 12:00:00.25+00")]);
        var e = new DebeziumJsonEvents("shop", "shopdb", withSchemas: true, "precise").Of(change).Single();
        return (e.Key!, e.Value!);
    }

    private static DecodedChange Decode(EnvelopeDecoder decoder, (byte[] Key, byte[] Value) message, long offset = 0) =>
        decoder.Decode(new KafkaMessage("shop.public.items", 0, offset, message.Key, message.Value)).Change!;

    private static string Text(DecodedChange change) =>
        $"{change.Table} {change.Kind} after [{string.Join(", ", change.After.Select(f => $"{f.Name}={f.Value} ({f.Column})"))}] before [{string.Join(", ", (change.Before ?? []).Select(f => $"{f.Name}={f.Value}"))}]";

    [Fact]
    public void Messages_after_the_first_of_a_schema_decode_exactly_as_a_fresh_decoder_reads_them()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        Decode(decoder, Written(1, "1.00", ColumnValue.Of("first")));

        for (var id = 2; id < 6; id++)
        {
            var message = Written(id, $"-{id}.05", id % 2 == 0 ? ColumnValue.Unchanged : ColumnValue.Of($"note {id}"));

            Text(Decode(decoder, message)).ShouldBe(Text(Decode(new EnvelopeDecoder(scylla: false), message)));
        }

        var last = Decode(decoder, Written(7, "12.50", ColumnValue.Unchanged));
        last.After.Single(f => f.Name == "price").Value.ShouldBe(ColumnValue.Of("12.50"));
        last.After.Single(f => f.Name == "note").Value.ShouldBe(ColumnValue.Unchanged);
        last.After.Single(f => f.Name == "id").Column!.IsKey.ShouldBeTrue();
    }

    [Fact]
    public void The_cache_finds_a_read_schema_at_the_start_of_a_compact_message_and_the_payload_after_it()
    {
        var (_, value) = Written(1, "1.00", ColumnValue.Of("first"));
        var cache = new ConnectSchemaCache();
        using var whole = JsonDocument.Parse(value);
        cache.TrySplit(value).ShouldBeNull();
        var schema = cache.Of(whole.RootElement.GetProperty("schema"));

        var (found, raw, start, length) = cache.TrySplit(value)!.Value;

        found.ShouldBeSameAs(schema);
        Encoding.UTF8.GetString(raw).ShouldBe(whole.RootElement.GetProperty("schema").GetRawText());
        Encoding.UTF8.GetString(value, start, length).ShouldBe(whole.RootElement.GetProperty("payload").GetRawText());
        cache.TrySplit(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(value).Replace("\"payload\":", "\"payload\" :", StringComparison.Ordinal))).ShouldBeNull();
    }

    [Fact]
    public void A_field_after_the_payload_is_read_from_the_whole_message()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        var (key, value) = Written(1, "1.00", ColumnValue.Of("first"));
        Decode(decoder, (key, value));
        var text = Encoding.UTF8.GetString(value);
        var extended = Encoding.UTF8.GetBytes(text[..^1] + ""","extra":{"op":"d"}}""");

        var change = Decode(decoder, (key, extended), 1);

        Text(change).ShouldBe(Text(Decode(decoder, (key, value), 2)));
    }

    [Fact]
    public void A_broken_payload_behind_a_known_schema_is_poison_with_the_whole_message_s_reason()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        var (key, value) = Written(1, "1.00", ColumnValue.Of("first"));
        Decode(decoder, (key, value));
        var text = Encoding.UTF8.GetString(value);
        var broken = Encoding.UTF8.GetBytes(text[..text.LastIndexOf("\"op\"", StringComparison.Ordinal)] + "\"op\":}}");

        var error = Should.Throw<PoisonMessageException>(() => Decode(decoder, (key, broken), 1));

        error.Message.ShouldContain("the value is not JSON");
    }

    /// <summary>What the partition's consumer makes of a value, as librdkafka hands it over.</summary>
    private static KafkaMessage Consumed(EnvelopeDecoder decoder, (byte[] Key, byte[] Value) message, long offset) =>
        KafkaMessage.Of("shop.public.items", 0, offset, message.Key, new KafkaValue.Deserializer(decoder.Schemas).Deserialize(message.Value, isNull: false, default));

    [Fact]
    public void A_consumed_value_behind_a_known_schema_keeps_only_its_payload_and_decodes_and_reads_back_exactly()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        var first = Written(1, "1.00", ColumnValue.Of("first"));
        var unknown = Consumed(decoder, first, 0);
        unknown.Consumed!.Schema.ShouldBeNull();
        Decode(decoder, first);
        var message = Written(2, "-2.05", ColumnValue.Unchanged);

        var consumed = Consumed(decoder, message, 1);

        consumed.Consumed!.Schema.ShouldNotBeNull();
        consumed.Consumed.Payload!.Length.ShouldBeLessThan(message.Value.Length / 2);
        Text(decoder.Decode(consumed).Change!).ShouldBe(Text(Decode(new EnvelopeDecoder(scylla: false), message)));
        consumed.Value.ShouldBe(message.Value);
        unknown.Value.ShouldBe(first.Value);
    }

    [Fact]
    public void A_consumed_value_with_a_field_after_the_payload_or_a_broken_payload_is_read_whole()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        var (key, value) = Written(1, "1.00", ColumnValue.Of("first"));
        Decode(decoder, (key, value));
        var text = Encoding.UTF8.GetString(value);
        var extended = Encoding.UTF8.GetBytes(text[..^1] + ""","extra":{"op":"d"}}""");
        var broken = Encoding.UTF8.GetBytes(text[..text.LastIndexOf("\"op\"", StringComparison.Ordinal)] + "\"op\":}}");

        Text(decoder.Decode(Consumed(decoder, (key, extended), 1)).Change!).ShouldBe(Text(Decode(decoder, (key, value), 2)));
        var error = Should.Throw<PoisonMessageException>(() => decoder.Decode(Consumed(decoder, (key, broken), 3)));
        error.Message.ShouldContain("the value is not JSON");
        Consumed(decoder, (key, broken), 3).Value.ShouldBe(broken);
    }

    [Fact]
    public void A_consumed_tombstone_is_a_tombstone()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        var deserializer = new KafkaValue.Deserializer(decoder.Schemas);

        decoder.Decode(KafkaMessage.Of("shop.public.items", 0, 1, null, deserializer.Deserialize([], isNull: true, default))).ShouldBe(DecodedMessage.Tombstone);
        decoder.Decode(KafkaMessage.Of("shop.public.items", 0, 2, null, deserializer.Deserialize([], isNull: false, default))).ShouldBe(DecodedMessage.Tombstone);
    }

    [Fact]
    public void A_changed_schema_block_is_read_as_new()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        var (key, value) = Written(1, "1.00", ColumnValue.Of("first"));
        Decode(decoder, (key, value));
        var retyped = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(value)
            .Replace("""{"type":"string","optional":true,"field":"note"}""", """{"type":"int64","optional":true,"field":"note"}""", StringComparison.Ordinal)
            .Replace("\"note\":\"first\"", "\"note\":42", StringComparison.Ordinal));
        Encoding.UTF8.GetString(retyped).ShouldContain("\"note\":42");

        var change = Decode(decoder, (key, retyped), 1);

        change.After.Single(f => f.Name == "note").Column!.TypeName.ShouldBe("bigint");
        change.After.Single(f => f.Name == "note").Value.ShouldBe(ColumnValue.Of("42"));
    }
}
