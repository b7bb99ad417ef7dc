using SentinelSync.Runtime;
using SentinelSync.Testing.Membership;

namespace SentinelSync.Tests.Runtime.Membership;

/// <summary>The membership table contract against <see cref="InMemoryMembershipTable"/>.</summary>
public sealed class InMemoryMembershipTableTests : MembershipTableContractTests
{
    protected override Task<IMembershipTable> CreateTableAsync(string testName = "") =>
        Task.FromResult<IMembershipTable>(new InMemoryMembershipTable());
}
