using SentinelSync.Benchmarks;

return args.FirstOrDefault() switch
{
    "runtime" => await RuntimeCallBenchmark.RunAsync(),
    "cluster" => await ClusterBenchmark.RunAsync(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/SentinelSync.Benchmarks -- runtime|cluster");
    return 2;
}
