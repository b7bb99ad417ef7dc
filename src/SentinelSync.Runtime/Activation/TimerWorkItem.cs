namespace SentinelSync.Runtime;

/// <summary>A timer tick, run as a turn of its grain. It does not count as activity for idle deactivation.</summary>
internal sealed class TimerWorkItem(ActivationData activation, GrainTimer timer) : WorkItem
{
    public override bool IsReadOnly => false;

    public override void Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        try
        {
            CallChain.Current = new CallChain(activation, Turn, null);
            await timer.Callback(activation.Catalog.ShutdownToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            activation.Catalog.LogTimerFailed(activation.GrainId, e);
        }
        finally
        {
            timer.TickCompleted();
            activation.EndTurn(Turn, readOnly: false, countsAsActivity: false);
        }
    }
}
