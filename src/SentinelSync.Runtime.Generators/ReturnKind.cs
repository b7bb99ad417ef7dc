namespace SentinelSync.Runtime.Generators;

/// <summary>The four return shapes a grain method may have.</summary>
internal enum ReturnKind
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}
