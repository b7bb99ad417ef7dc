using System.Diagnostics;
using Npgsql;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>Runs Postgres' pgbench against a test database and returns its output.</summary>
internal static class Pgbench
{
    public static async Task<string> RunAsync(PostgresDatabase database, params string[] arguments)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var start = new ProcessStartInfo("pgbench") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username! }.Concat(arguments).Append(builder.Database!))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("pgbench could not be started (apt-get install postgresql-contrib).");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await stdout + await stderr;
        return process.ExitCode == 0 ? text : throw new InvalidOperationException($"pgbench {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{text}");
    }
}
