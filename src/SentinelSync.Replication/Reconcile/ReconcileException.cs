namespace SentinelSync.Replication.Reconcile;

/// <summary>A reconcile run or table check that cannot start or go on, with the reason an operator can act on.</summary>
[GenerateSerializer]
public sealed class ReconcileException(string message) : Exception(message);
