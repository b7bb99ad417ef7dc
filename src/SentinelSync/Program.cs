using SentinelSync.Cli;

return await SentinelCommand.Create().Parse(args).InvokeAsync();
