using SentinelSync.Benchmarks;

return args.FirstOrDefault() switch
{
    "runtime" => await RuntimeCallBenchmark.RunAsync(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/SentinelSync.Benchmarks -- runtime");
    return 2;
}
