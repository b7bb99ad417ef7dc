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
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(GrainsCommand.Create());
        root.Subcommands.Add(PipelinesCommand.Create());
        root.Subcommands.Add(PipelineControlCommand.Create("pause", "Pause a pipeline: stop reading, keep the slot, stay paused across restarts."));
        root.Subcommands.Add(PipelineControlCommand.Create("resume", "Resume a paused pipeline."));
        root.Subcommands.Add(ResyncCommand.Create());
        root.Subcommands.Add(DevCommand.Create());
        root.Subcommands.Add(ReconcileCommand.Create());
        root.Subcommands.Add(EraseCommand.Create());
        return root;
    }
}
