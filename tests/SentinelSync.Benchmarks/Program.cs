using SentinelSync.Benchmarks;

return args.FirstOrDefault() switch
{
    "runtime" => await RuntimeCallBenchmark.RunAsync(),
    "cluster" => await ClusterBenchmark.RunAsync(),
    "clickhouse" => await ClickHousePipelineBenchmark.RunAsync(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/SentinelSync.Benchmarks -- runtime|cluster|clickhouse");
    return 2;
}
