using System.ComponentModel;
using System.Diagnostics;

namespace SentinelSync.Testing.Deployment;

/// <summary>
/// Runs a command-line checker (kubectl, promtool, yamllint, node, docker-compose) in the repository's root. A
/// missing tool fails the test naming it and eng/setup.sh, which installs them: these checks are not optional.
/// </summary>
public static class Tool
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    /// <summary>What the tool printed: <see cref="Output"/> on stdout, <see cref="Errors"/> on stderr.</summary>
    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        public override string ToString() => $"exit {ExitCode}:\n{Output}\n{Errors}";
    }

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"'{tool}' cannot be run ({e.Message}): run 'bash eng/setup.sh', which installs the deployment checkers.", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }

            using var timeout = new CancellationTokenSource(s_timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{tool} {string.Join(' ', start.ArgumentList)}' did not finish within {s_timeout.TotalSeconds} s");
            }

            return new Result(process.ExitCode, await output, await errors);
        }
    }

    /// <summary>The manifests an overlay builds to (<c>kubectl kustomize k8s/overlays/NAME</c>), which must succeed.</summary>
    public static async Task<string> KustomizeAsync(string overlay)
    {
        var built = await RunAsync("kubectl", ["kustomize", $"k8s/overlays/{overlay}"]);
        if (built.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize k8s/overlays/{overlay} failed, {built}");
        }

        return built.Output;
    }
}
