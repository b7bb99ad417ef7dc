using System.CommandLine;
using SentinelSync.Cli;

// On SIGINT/SIGTERM the running verb's token is cancelled; a silo then drains, confirms the slot and exits,
// which may take longer than System.CommandLine's default 2 s grace.
return await SentinelCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
