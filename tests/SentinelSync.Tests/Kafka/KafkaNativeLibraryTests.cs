using Confluent.Kafka;
using SentinelSync.Replication.Kafka;
using Xunit.Abstractions;

namespace SentinelSync.Tests.Kafka;

public sealed class KafkaNativeLibraryTests(ITestOutputHelper output)
{
    [Fact]
    public void Producer_can_be_built_on_the_debian_librdkafka()
    {
        var path = KafkaNativeLibrary.EnsureLoaded();

        // No broker listens on port 1: building a producer must not need one.
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = "127.0.0.1:1" }).Build();

        producer.Name.ShouldNotBeNullOrWhiteSpace();
        Library.IsLoaded.ShouldBeTrue();
        Library.VersionString.ShouldMatch(@"^\d+\.\d+\.\d+");
        output.WriteLine($"librdkafka {Library.VersionString} from {path}; producer {producer.Name}");
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
        error.Message.ShouldContain("apt-get install librdkafka-dev");
        error.Message.ShouldContain(KafkaNativeLibrary.PathVariable);
    }
}
