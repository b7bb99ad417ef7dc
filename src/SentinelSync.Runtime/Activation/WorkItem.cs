namespace SentinelSync.Runtime;

/// <summary>A queued turn of an activation, run on the thread pool once the activation may start it.</summary>
internal abstract class WorkItem : IThreadPoolWorkItem
{
    public abstract bool IsReadOnly { get; }

    /// <summary>Assigned when the turn starts.</summary>
    public long Turn { get; set; }

    public abstract void Execute();

    /// <summary>The activation ended before this turn ran: send it to the grain's next activation.</summary>
    public virtual void Forward()
    {
    }

    /// <summary>The activation failed to activate: the turn fails with that error.</summary>
    public virtual void Fail(Exception error)
    {
    }
}
