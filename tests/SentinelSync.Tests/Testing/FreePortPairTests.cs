using SentinelSync.Testing;

namespace SentinelSync.Tests.Testing;

public sealed class FreePortPairTests
{
    [Fact]
    public void No_port_is_handed_out_twice_even_after_it_is_free_again()
    {
        // Nothing listens on any of these once chosen, as with a silo its test killed: still never chosen again (300
        // random pairs among 12,700 ports would overlap almost surely otherwise).
        var ports = Enumerable.Range(0, 300).Select(_ => SentinelProcess.FreePortPair()).SelectMany(p => new[] { p, p + 1 }).ToList();

        ports.Distinct().Count().ShouldBe(ports.Count);
    }
}
