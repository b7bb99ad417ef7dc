namespace SentinelSync.Replication.Masking;

/// <summary>
/// A sink's transform cannot be applied to a table's shape (it masks or excludes a key column, or names a column the
/// table does not have). Nothing of the table is sent to that sink until the configuration is fixed: sending it
/// would either change row identity or let a column through unmasked.
/// </summary>
public sealed class TransformRefusedException(string message) : Exception(message);
