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
    public void A_precompiled_assembly_with_a_composite_image_beside_it_is_described_as_composite()
    {
        // The image's self-contained publish puts the framework's and the application's code in sentinel.r2r.dll.
        var directory = Directory.CreateTempSubdirectory("r2r-").FullName;
        var assembly = Path.Combine(directory, "sentinel.dll");
        File.Copy(typeof(object).Assembly.Location, assembly);
        ReadyToRunImage.Describe(assembly).ShouldBe("ReadyToRun");

        File.WriteAllBytes(Path.Combine(directory, "sentinel.r2r.dll"), []);

        ReadyToRunImage.Describe(assembly).ShouldBe("ReadyToRun, composite with the framework");
        ReadyToRunImage.Describe(Path.Combine(AppContext.BaseDirectory, "sentinel.dll")).ShouldBe("plain build (JIT at start)");
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_refused_naming_it()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "sentinel.runtimeconfig.json");

        var error = Should.Throw<BadImageFormatException>(() => ReadyToRunImage.IsReadyToRun(file));

        error.Message.ShouldContain(file);
    }
}
