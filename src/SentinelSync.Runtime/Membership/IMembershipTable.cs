namespace SentinelSync.Runtime;

/// <summary>
/// The cluster's membership table (in the control database), the one place where silos learn who is in the
/// cluster and who is dead.
/// </summary>
/// <remarks>
/// Atomicity contract (every backend implements it exactly; the contract tests check it):
/// <list type="bullet">
/// <item><see cref="ReadAllAsync"/> returns every row and the table version from one consistent snapshot.</item>
/// <item><see cref="InsertRowAsync"/> and <see cref="UpdateRowAsync"/> are compare-and-swap operations over the
/// whole table: they succeed only if the table version still equals <c>tableVersion</c> (and, for an update, the
/// row's ETag still equals <c>etag</c>); on success they write the row and increment the table version in one
/// transaction, and return true. On a lost race they change nothing and return false (never throw for that).
/// Of N concurrent calls made with the same version, exactly one wins.</item>
/// <item><see cref="UpdateIAmAliveAsync"/> is a cheap dirty write of the heartbeat column only: it neither checks
/// nor changes ETags or the table version.</item>
/// </list>
/// Who may write what: a silo inserts its own row (Joining), moves itself to Active and ShuttingDown, and writes
/// its own heartbeat; any silo may add a suspicion vote on another row and, once enough unexpired votes are in,
/// move that row to Dead. A silo that reads its own row as Dead stops immediately, without deactivating grains
/// gracefully (others have taken them over; its writes are fenced anyway).
/// </remarks>
public interface IMembershipTable
{
    Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken);

    Task<bool> InsertRowAsync(MembershipEntry entry, long tableVersion, CancellationToken cancellationToken);

    Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long tableVersion, CancellationToken cancellationToken);

    Task UpdateIAmAliveAsync(string siloName, DateTimeOffset heartbeat, CancellationToken cancellationToken);
}
