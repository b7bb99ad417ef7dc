using SentinelSync.Testing.Metrics;

namespace SentinelSync.Tests.Diagnostics;

/// <summary>The validator must reject what Prometheus rejects, or the exporter tests prove nothing.</summary>
public sealed class ExpositionParserTests
{
    private const string Valid =
        "# HELP a_total A counter\n# TYPE a_total counter\na_total{x=\"1\"} 3\n" +
        "# HELP h Histogram\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3.5\nh_count 2\n";

    [Fact]
    public void A_valid_exposition_parses_with_unescaped_labels_and_special_floats()
    {
        var parsed = ExpositionParser.Parse(Valid + "# HELP g G \\\\ \\n\n# TYPE g gauge\ng{b=\"\",a=\"q\\\"\\\\\\n\"} NaN\ng{a=\"2\"} -Inf\ng{a=\"3\"} 1.5e-07\n# TYPE u_total counter\nu_total{} 4\n");

        parsed.Value("a_total", ("x", "1")).ShouldBe(3);
        parsed.Value("h_count").ShouldBe(2);
        parsed.Family("g").Help.ShouldBe("G \\ \n");
        double.IsNaN(parsed.Value("g", ("a", "q\"\\\n"), ("b", ""))).ShouldBeTrue();
        parsed.Value("g", ("a", "2")).ShouldBe(double.NegativeInfinity);
        parsed.Value("g", ("a", "3")).ShouldBe(1.5e-7);
        parsed.Value("u_total").ShouldBe(4, "an empty label set and no HELP are valid");
        parsed.Family("u_total").Help.ShouldBeNull();
    }

    [Theory]
    [InlineData("a_total 3\n", "before its family's TYPE")]
    [InlineData("# HELP a A\na 1\n", "before its family's TYPE")]
    [InlineData("# TYPE a gauge\n# HELP a A\n# HELP a A\na 1\n", "second HELP")]
    [InlineData("# HELP a A\n# TYPE a gauge\na 1\n# HELP a A\n", "after its samples")]
    [InlineData("# HELP a A\n# TYPE a gauge\na 1\n# HELP b B\n# TYPE b gauge\nb 1\n# HELP a A\n", "appears twice")]
    [InlineData("# HELP a A\n# TYPE a gauge\na 1\na 2\n", "duplicate series")]
    [InlineData("# HELP a A\n# TYPE a gauge\na{x=\"1\",y=\"2\",x=\"3\"} 1\n", "label 'x' repeated")]
    [InlineData("# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n", "duplicate series")]
    [InlineData("# HELP a A\n# TYPE a gauge\na{x-y=\"1\"} 1\n", "not a valid label name")]
    [InlineData("# HELP a A\n# TYPE a gauge\na{x=\"a\\t\"} 1\n", "bad escape")]
    [InlineData("# HELP a A\n# TYPE a gauge\na 1,5\n", "not a float")]
    [InlineData("# HELP a A\n# TYPE a gauge\na Inf\n", "not a float")]
    [InlineData("# HELP a.b A\n# TYPE a.b gauge\n", "not a valid metric name")]
    [InlineData("# HELP a A\n# TYPE a counter\na 1\n", "_total")]
    [InlineData("# HELP a A\n# TYPE a gauge\nb 1\n", "does not belong")]
    [InlineData("# HELP a A\n# TYPE a gauge\na 1", "line feed")]
    [InlineData("# HELP h H\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf")]
    [InlineData("# HELP h H\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "cumulative")]
    [InlineData("# HELP h H\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "differs from the +Inf bucket")]
    [InlineData("# HELP a A\n# comment\n# TYPE a gauge\na 1\n", "comment line")]
    public void Malformed_expositions_are_rejected(string text, string problem)
    {
        var error = Should.Throw<FormatException>(() => ExpositionParser.Parse(text));

        error.Message.ShouldContain(problem);
    }
}
