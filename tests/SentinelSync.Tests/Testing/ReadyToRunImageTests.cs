using SentinelSync.Testing;

namespace SentinelSync.Tests.Testing;

public sealed class ReadyToRunImageTests
{
    [Fact]
    public void The_shared_framework_is_ReadyToRun_and_the_plain_build_of_sentinel_is_not()
    {
        // The runtime's own assemblies ship precompiled; the sentinel.dll a plain `dotnet build` copies beside the
        // tests is IL only. The benchmark prints this distinction beside every start-up figure.
        ReadyToRunImage.IsReadyToRun(typeof(object).Assembly.Location).ShouldBeTrue();
        ReadyToRunImage.IsReadyToRun(Path.Combine(AppContext.BaseDirectory, "sentinel.dll")).ShouldBeFalse();
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_refused_naming_it()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "sentinel.runtimeconfig.json");

        var error = Should.Throw<BadImageFormatException>(() => ReadyToRunImage.IsReadyToRun(file));

        error.Message.ShouldContain(file);
    }
}
