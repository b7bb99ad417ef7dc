using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Tests.Cassandra;

/// <summary>Partition-key tokens against the Node.js driver's Murmur3 tokenizer, over keys of every tail length.</summary>
public sealed class Murmur3TokenTests
{
    [Fact]
    public void Tokens_match_the_node_driver_for_the_whole_corpus()
    {
        var corpus = NodeDriverReference.Instance.Tokens;
        corpus.Count.ShouldBeGreaterThan(100);
        corpus.ShouldContain(c => c.Key.Any(b => b >= 0x80), "keys with high-bit bytes exercise Cassandra's signed tail");

        var mismatches = corpus.Where(c => Murmur3Token.Of(c.Key) != c.Token)
            .Select(c => $"{Convert.ToHexString(c.Key)}: ours {Murmur3Token.Of(c.Key)}, driver {c.Token}").ToList();

        mismatches.ShouldBeEmpty();
    }

    [Fact]
    public void Composite_routing_key_frames_each_component()
    {
        var key = Murmur3Token.RoutingKey([[0x00, 0x00, 0x00, 0x01], [0x61, 0x62]]);

        Convert.ToHexString(key).ShouldBe("00040000000100" + "0002616200");
    }
}
