using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SentinelSync.Testing;

/// <summary>
/// The real <c>sentinel run</c> executable as a child process, for tests that must kill it like an operator or
/// the kernel would (SIGKILL) or stop it gracefully (SIGTERM). Its output goes to a log file the failures quote.
/// </summary>
public sealed class SentinelProcess : IAsyncDisposable
{
    private readonly Process _process;
    private bool _disposed;

    private SentinelProcess(Process process, string logFile, int httpPort, bool https)
    {
        _process = process;
        LogFile = logFile;
        HttpPort = httpPort;
        Https = https;
    }

    public string LogFile { get; }

    public int HttpPort { get; }

    /// <summary>Whether the silo serves HTTPS (<c>silo.tls</c>).</summary>
    public bool Https { get; }

    public Uri Address => new($"{(Https ? "https" : "http")}://127.0.0.1:{HttpPort}/");

    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>
    /// Waits until the log holds <paramref name="text"/>: the console logger writes from its own queue, so a line
    /// logged just before an effect a test observed may reach the file just after it.
    /// </summary>
    public Task WaitForLogAsync(string text, TimeSpan? within = null) =>
        Eventually.WaitAsync(
            () => Task.FromResult(Log.Contains(text, StringComparison.Ordinal)),
            within ?? TimeSpan.FromSeconds(10),
            () => $"the log to hold \"{text}\"; its end:\n{LogTail()}");

    /// <summary>The last <paramref name="chars"/> characters of the log, for a failing assertion's message.</summary>
    public string LogTail(int chars = 6000)
    {
        var log = Log;
        return log.Length <= chars ? log : log[^chars..];
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The pid of the <c>dotnet sentinel.dll</c> process (the shell execs it), for /proc readings.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The process's peak resident set size so far (Linux VmHWM), in bytes.</summary>
    public long PeakResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Names another sentinel.dll to run, e.g. a ReadyToRun publish (<c>eng/bench.sh</c> sets it).</summary>
    public const string ExecutableVariable = "SENTINEL_EXECUTABLE";

    /// <summary>
    /// The sentinel.dll copied next to the test assembly (a plain build: JIT at every start), or the one
    /// <see cref="ExecutableVariable"/> names.
    /// </summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } other
            ? (File.Exists(other) ? Path.GetFullPath(other) : throw new FileNotFoundException($"{ExecutableVariable} names {other}, which does not exist.", other))
            : Path.Combine(AppContext.BaseDirectory, "sentinel.dll");

    /// <summary>Every port <see cref="FreePortPair"/> handed out in this process.</summary>
    private static readonly HashSet<int> s_handedOut = [];

    /// <summary>Two consecutive free loopback ports (HTTP, then silo-to-silo).</summary>
    public static int FreePortPair()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            // Below Linux's ephemeral range (32768-60999): a silo restarted on its ports after a kill would otherwise
            // find one taken by any process's outgoing connection meanwhile ("port ... is not free").
            var port = Random.Shared.Next(20_000, 32_700);
            lock (s_handedOut)
            {
                // Never twice in one test run: a silo killed by its test frees its ports until the test restarts it
                // on them, and another test's silo took them meanwhile ("silo.siloPort: port ... is not free",
                // ClickHouse's kill -9 test, 2026-12-03).
                if (s_handedOut.Contains(port) || s_handedOut.Contains(port + 1))
                {
                    continue;
                }

                try
                {
                    using var first = new TcpListener(IPAddress.Loopback, port);
                    first.Start();
                    using var second = new TcpListener(IPAddress.Loopback, port + 1);
                    second.Start();
                    s_handedOut.Add(port);
                    s_handedOut.Add(port + 1);
                    return port;
                }
                catch (SocketException)
                {
                    // Taken; try another pair.
                }
            }
        }

        throw new InvalidOperationException("No two consecutive free loopback ports found between 20000 and 32700.");
    }

    /// <summary>
    /// Runs <c>sentinel run --config</c> on <paramref name="configFile"/> (with <paramref name="environment"/>
    /// added to the test's environment) and waits until /readyz answers.
    /// </summary>
    public static async Task<SentinelProcess> StartAsync(string configFile, int httpPort, TimeSpan? readyWithin = null, IReadOnlyDictionary<string, string>? environment = null, bool https = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            var logFile = configFile + $".{DateTime.UtcNow:HHmmssfff}.log";
            var sentinel = new SentinelProcess(Start(["run", "--config", configFile], logFile, environment), logFile, httpPort, https);
            // Readiness only: a test of HTTPS checks the certificate with a client of its own.
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = https ? HttpClientHandler.DangerousAcceptAnyServerCertificateValidator : null };
            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                await WaitUntilReadyAsync(sentinel, http, readyWithin ?? TimeSpan.FromSeconds(60));
                return sentinel;
            }
            catch (InvalidOperationException) when (attempt < 3 && sentinel.HasExited && PortWasTaken(sentinel.Log))
            {
                // The port was free when the test chose it, but the kernel handed it out meanwhile (an ephemeral port
                // of some connection on this busy machine): start again on the same configuration a moment later.
                // Either the start-up port check saw it (exit 2) or a listener failed to bind.
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            catch
            {
                // A silo that never became ready must not outlive the test (it would hold its slot and ports).
                if (!sentinel.HasExited)
                {
                    await sentinel.KillAsync();
                }

                throw;
            }
        }
    }

    private static Task WaitUntilReadyAsync(SentinelProcess sentinel, HttpClient http, TimeSpan within) =>
        Eventually.WaitAsync(
            async () =>
            {
                if (sentinel._process.HasExited)
                {
                    throw new InvalidOperationException($"sentinel exited with {sentinel._process.ExitCode} before it was ready:\n{sentinel.Log}");
                }

                try
                {
                    return (await http.GetAsync(new Uri(sentinel.Address, "readyz"))).IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException || e is TaskCanceledException { InnerException: TimeoutException })
                {
                    // Not listening yet, or too busy starting to answer within the poll's timeout. A connection reset while
                    // connecting can surface as a bare SocketException (from the socket's RemoteEndPoint), not wrapped.
                    return false;
                }
            },
            within,
            () => $"sentinel on port {sentinel.HttpPort} to be ready; log:\n{sentinel.Log}");

    private static bool PortWasTaken(string log) =>
        log.Contains("AddressInUseException", StringComparison.Ordinal) || log.Contains("is not free (AddressAlreadyInUse)", StringComparison.Ordinal);

    /// <summary>Starts a long-running verb (e.g. <c>dev kafka</c>) whose output goes to <paramref name="logFile"/>; no HTTP port.</summary>
    public static SentinelProcess StartVerb(string logFile, params string[] arguments) =>
        new(Start(arguments, logFile), logFile, httpPort: 0, https: false);

    /// <summary>Runs a short admin verb (e.g. <c>dlq list --json</c>) and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunVerbAsync(params string[] arguments) =>
        RunVerbAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs a short verb with <paramref name="environment"/> added to the test's environment.</summary>
    public static async Task<(int ExitCode, string Output)> RunVerbAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var output = Path.GetTempFileName();
        using var process = Start(arguments, output, environment);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await File.ReadAllTextAsync(output));
    }

    private static Process Start(string[] arguments, string logFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        // The shell sends both streams to the log (so nothing blocks on a full pipe), then becomes dotnet itself,
        // so that signals reach sentinel directly.
        var shell = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        shell.ArgumentList.Add("-c");
        shell.ArgumentList.Add("exec dotnet \"$@\" >>\"$SENTINEL_TEST_LOG\" 2>&1");
        shell.ArgumentList.Add("sh");
        shell.ArgumentList.Add(Executable);
        foreach (var argument in arguments)
        {
            shell.ArgumentList.Add(argument);
        }

        shell.Environment["SENTINEL_TEST_LOG"] = logFile;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            shell.Environment[name] = value;
        }

        return Process.Start(shell) ?? throw new InvalidOperationException("Could not start sentinel.");
    }

    /// <summary>SIGKILL: no drain, no confirm, no goodbye.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? within = null)
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await _process.WaitForExitAsync().WaitAsync(within ?? TimeSpan.FromSeconds(60));
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process if it still runs; a second call (the scenario disposes the silos it started) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
