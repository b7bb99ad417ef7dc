using System.CommandLine;
using SentinelSync.Replication.Kafka;

namespace SentinelSync.Cli;

/// <summary>
/// <c>sentinel dev ...</c>: helpers for development and tests on a machine without the real servers.
/// <c>sentinel dev kafka [--brokers 3] [--bootstrap-file F]</c> runs librdkafka's mock Kafka cluster until Ctrl-C.
/// </summary>
internal static class DevCommand
{
    public static Command Create()
    {
        var command = new Command("dev", "Development helpers (not for production).");
        command.Subcommands.Add(CreateKafka());
        return command;
    }

    private static Command CreateKafka()
    {
        var brokers = new Option<int>("--brokers") { Description = "How many brokers (1 to 16).", DefaultValueFactory = _ => 3 };
        brokers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 16)
            {
                result.AddError("--brokers: must be between 1 and 16.");
            }
        });
        var bootstrapFile = new Option<FileInfo?>("--bootstrap-file")
        {
            Description = "Also write the bootstrap list to this file (written once the brokers listen, deleted on exit).",
        };
        var command = new Command(
            "kafka",
            "Run librdkafka's mock Kafka cluster (real protocol on 127.0.0.1) until Ctrl-C; prints its bootstrap list. "
            + "Topics are created by producers' metadata requests (mock defaults) or by a sink's topic creation.")
        {
            brokers,
            bootstrapFile,
        };
        command.SetAction((parse, cancellation) => RunKafkaAsync(parse.GetValue(brokers), parse.GetValue(bootstrapFile), cancellation));
        return command;
    }

    private static async Task<int> RunKafkaAsync(int brokers, FileInfo? bootstrapFile, CancellationToken cancellation)
    {
        MockKafkaCluster cluster;
        try
        {
            cluster = MockKafkaCluster.Start(brokers);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"sentinel dev kafka: {e.Message}");
            return 1;
        }

        using (cluster)
        {
            Console.WriteLine($"mock Kafka cluster (librdkafka {KafkaNativeLibrary.Version}), {brokers} broker(s): {cluster.BootstrapServers}");
            if (bootstrapFile is not null)
            {
                // Written to a temporary name and renamed, so that a reader polling for the file never sees half a line.
                var temporary = bootstrapFile.FullName + ".tmp";
                await File.WriteAllTextAsync(temporary, cluster.BootstrapServers + "\n", CancellationToken.None);
                File.Move(temporary, bootstrapFile.FullName, overwrite: true);
                Console.WriteLine($"bootstrap list written to {bootstrapFile.FullName}");
            }

            Console.WriteLine("Not a real broker: it keeps about 5 MB per partition and forgets everything on exit. Ctrl-C stops.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellation);
            }
            catch (OperationCanceledException)
            {
            }

            if (bootstrapFile is not null)
            {
                File.Delete(bootstrapFile.FullName);
            }
        }

        return 0;
    }
}
