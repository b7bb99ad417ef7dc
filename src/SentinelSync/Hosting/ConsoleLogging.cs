using Microsoft.Extensions.Logging.Console;
using SentinelSync.Configuration;

namespace SentinelSync.Hosting;

/// <summary>
/// Console logs for people on a terminal (one line per entry) and JSON lines for collectors when stdout is
/// redirected (a file, a pipe, a container runtime), with UTC timestamps and the structured placeholders.
/// Every entry passes through the <see cref="Redactor"/> first (<see cref="RedactingLoggerProvider"/>), and one false
/// warning of Orleans' watchdog is dropped (<see cref="WatchdogRaceFilter"/>).
/// </summary>
internal static class ConsoleLogging
{
    public static ILoggingBuilder AddSentinelConsole(this ILoggingBuilder logging, Redactor redactor)
    {
        if (Console.IsOutputRedirected)
        {
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
        }

        // The console provider is built by the container as before, but loggers are asked of the wrapper.
        var console = logging.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        logging.Services.Remove(console);
        logging.Services.AddSingleton<ConsoleLoggerProvider>();
        logging.Services.AddSingleton<ILoggerProvider>(sp => new RedactingLoggerProvider(new WatchdogRaceFilter(sp.GetRequiredService<ConsoleLoggerProvider>()), redactor));
        return logging;
    }
}
