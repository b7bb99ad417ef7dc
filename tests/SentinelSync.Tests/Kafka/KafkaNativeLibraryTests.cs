using Confluent.Kafka;
using SentinelSync.Replication.Kafka;
using Xunit.Abstractions;

namespace SentinelSync.Tests.Kafka;

public sealed class KafkaNativeLibraryTests(ITestOutputHelper output)
{
    [Fact]
    public void The_bundled_librdkafka_2_16_is_loaded_not_the_systems()
    {
        var path = KafkaNativeLibrary.EnsureLoaded();

        Library.VersionString.ShouldStartWith(KafkaNativeLibrary.ExpectedVersionPrefix);
        path.ShouldStartWith(AppContext.BaseDirectory);
        path.ShouldEndWith(Path.Combine("runtimes", "linux-x64", "native", "centos8-librdkafka.so"));
        // What the process really mapped: the bundled file, and no other librdkafka (Debian's librdkafka1 2.0.2
        // is installed on the build machines and would break Consume if it were picked).
        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Where(file => file.Contains("rdkafka", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        mapped.ShouldBe([path]);
        output.WriteLine($"librdkafka {Library.VersionString} from {path}");
    }

    [Fact]
    public void Loading_is_idempotent_and_reports_the_same_path()
    {
        var first = KafkaNativeLibrary.EnsureLoaded();
        var second = KafkaNativeLibrary.EnsureLoaded();

        second.ShouldBe(first);
        File.Exists(first).ShouldBeTrue();
    }

    [Fact]
    public void A_missing_library_fails_with_the_fix_in_the_message()
    {
        var bogus = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "librdkafka.so");

        var error = Should.Throw<InvalidOperationException>(() => KafkaNativeLibrary.Load([bogus]));

        error.Message.ShouldContain("librdkafka");
        error.Message.ShouldContain(bogus);
        error.Message.ShouldContain("librdkafka.redist");
        error.Message.ShouldContain(KafkaNativeLibrary.PathVariable);
    }
}
