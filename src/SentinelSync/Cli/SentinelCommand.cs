using System.CommandLine;

namespace SentinelSync.Cli;

/// <summary>The <c>sentinel</c> command line: the silo (<c>run</c>) and the admin verbs in one executable.</summary>
internal static class SentinelCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("SentinelSync: change-data-capture replication from Postgres to Postgres, ClickHouse and Cassandra.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(CallCommand.Create());
        root.Subcommands.Add(DlqCommand.Create());
        return root;
    }
}
