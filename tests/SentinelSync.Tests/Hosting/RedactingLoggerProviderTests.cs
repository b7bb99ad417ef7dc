using Microsoft.Extensions.Logging;
using SentinelSync.Configuration;
using SentinelSync.Hosting;

namespace SentinelSync.Tests.Hosting;

public sealed partial class RedactingLoggerProviderTests
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Sink {Sink}: connecting with {Connection} failed")]
    private static partial void LogFailed(ILogger logger, string sink, string connection, Exception exception);

    [Fact]
    public void Message_structured_values_and_exception_text_reach_the_console_provider_masked()
    {
        var captured = new CapturingProvider();
        using var provider = new RedactingLoggerProvider(captured, new Redactor(["hunter2", "tok-1"]));
        var logger = provider.CreateLogger("Test");
        var inner = new InvalidOperationException("auth with tok-1 failed");

        LogFailed(logger, "warehouse", "Host=h;Password=hunter2", new InvalidOperationException("password hunter2 refused", inner));

        var entry = captured.Entries.ShouldHaveSingleItem();
        entry.Message.ShouldBe("Sink warehouse: connecting with Host=h;Password=******** failed");
        entry.State.ShouldContain(new KeyValuePair<string, object?>("Connection", "Host=h;Password=********"));
        entry.State.ShouldContain(new KeyValuePair<string, object?>("Sink", "warehouse"));
        entry.StateText.ShouldBe(entry.Message);
        entry.Exception.ShouldNotBeNull().Message.ShouldBe("password ******** refused");
        entry.Exception.ToString().ShouldContain("auth with ******** failed");
        entry.Exception.ToString().ShouldNotContain("hunter2");
        entry.Exception.ToString().ShouldNotContain("tok-1");
    }

    [Fact]
    public void An_entry_without_a_secret_passes_through_unchanged()
    {
        var captured = new CapturingProvider();
        using var provider = new RedactingLoggerProvider(captured, new Redactor(["hunter2"]));
        var error = new InvalidOperationException("plain");

        LogFailed(provider.CreateLogger("Test"), "warehouse", "Host=h", error);

        captured.Entries.ShouldHaveSingleItem().Exception.ShouldBeSameAs(error);
    }
}
