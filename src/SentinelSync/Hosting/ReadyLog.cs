using System.Diagnostics;
using System.Runtime;

namespace SentinelSync.Hosting;

/// <summary>
/// One line once the silo serves ready (every hosted service started, Kestrel listening): how long the process took
/// from its start and how much of that the JIT compiled, so that a slow start is seen in the log of every run
/// (process start is part of the benchmark figures and of every real-process test).
/// </summary>
internal static partial class ReadyLog
{
    public static void WhenStarted(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SentinelSync.Hosting.Silo");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            using var process = Process.GetCurrentProcess();
            var sinceStart = DateTime.Now - process.StartTime;
            Ready(logger, (long)sinceStart.TotalMilliseconds, (long)process.TotalProcessorTime.TotalMilliseconds, JitInfo.GetCompiledMethodCount(), (long)JitInfo.GetCompilationTime().TotalMilliseconds);
            // The GC mode decides the silo's peak memory: logged as the runtime applied it (runtimeconfig or DOTNET_ variables).
            var gc = GC.GetConfigurationVariables().OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v.Key}={v.Value}"));
            GcMode(logger, GCSettings.IsServerGC ? "server" : "workstation", string.Join(", ", gc));
        });
    }
}
