using SentinelSync.Benchmarks;
using SentinelSync.Benchmarks.Kafka;
using SentinelSync.Benchmarks.Replication;

return args.FirstOrDefault() switch
{
    "clickhouse" => await ClickHousePipelineBenchmark.RunAsync(),
    "orleans" => await OrleansCallBenchmark.RunAsync(),
    "replication" => await ReplicationBenchmark.RunAsync(args[1..]),
    "snapshot" => await SnapshotOnlyBenchmark.RunAsync(args[1..]),
    "kafka" => await KafkaBenchmark.RunAsync(args[1..]),
    "kafka-codec" => KafkaCodecBenchmark.Run(args[1..]),
    "streaming" => await StreamingOnlyBenchmark.RunAsync(args[1..]),
    "backlog" => await BacklogCpuBenchmark.RunAsync(args[1..]),
    "decode" => await DecodeBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/SentinelSync.Benchmarks -- clickhouse|orleans|replication [--quick]|snapshot [--quick]|kafka [--quick] [--backlog SECONDS] [--runs N] [--legs]|kafka-codec [--messages N]|streaming [--quick] [--live-seconds N] [native|sentinelsync|via-kafka]...|backlog [--quick] [--live] [native|sentinelsync]");
    return 2;
}
