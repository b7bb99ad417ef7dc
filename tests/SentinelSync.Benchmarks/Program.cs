using SentinelSync.Benchmarks;
using SentinelSync.Benchmarks.Replication;

return args.FirstOrDefault() switch
{
    "runtime" => await RuntimeCallBenchmark.RunAsync(),
    "cluster" => await ClusterBenchmark.RunAsync(),
    "clickhouse" => await ClickHousePipelineBenchmark.RunAsync(),
    "replication" => await ReplicationBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/SentinelSync.Benchmarks -- runtime|cluster|clickhouse|replication [--quick]");
    return 2;
}
