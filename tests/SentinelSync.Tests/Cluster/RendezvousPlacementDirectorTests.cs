using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Metadata;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Tests.Cluster;

/// <summary>
/// Which silos the rendezvous director chooses among: the ones Orleans finds compatible, plus active silos whose grain
/// manifest this silo has not received yet (Orleans leaves those out for a while after they join), but not a silo
/// whose manifest is known and lacks the grain type.
/// </summary>
public sealed class RendezvousPlacementDirectorTests
{
    private const string TypeName = "test-movable";
    private static readonly SiloAddress s_a = SiloAddress.New(IPAddress.Loopback, 11111, 1);
    private static readonly SiloAddress s_b = SiloAddress.New(IPAddress.Loopback, 11112, 2);

    /// <summary>A key whose owner among silo-a and silo-b is silo-b.</summary>
    private static readonly string s_keyOfB = Enumerable.Range(0, 100).Select(i => $"k{i}")
        .First(k => RendezvousPlacement.Owner(TypeName, k, ["silo-a", "silo-b"]) == "silo-b");

    [Fact]
    public async Task An_active_silo_whose_manifest_has_not_arrived_gets_the_grains_it_owns()
    {
        var manifest = Manifest((s_a, WithGrainType: true));
        var placed = await PlaceAsync(s_keyOfB, compatible: [s_a], manifest);

        placed.ShouldBe(s_b);
    }

    [Fact]
    public async Task A_silo_whose_manifest_lacks_the_grain_type_gets_none()
    {
        var manifest = Manifest((s_a, WithGrainType: true), (s_b, WithGrainType: false));
        var placed = await PlaceAsync(s_keyOfB, compatible: [s_a], manifest);

        placed.ShouldBe(s_a);
    }

    [Fact]
    public async Task Among_compatible_silos_the_owner_by_name_gets_the_grain()
    {
        var manifest = Manifest((s_a, WithGrainType: true), (s_b, WithGrainType: true));
        var keyOfA = Enumerable.Range(0, 100).Select(i => $"k{i}").First(k => RendezvousPlacement.Owner(TypeName, k, ["silo-a", "silo-b"]) == "silo-a");

        (await PlaceAsync(s_keyOfB, compatible: [s_a, s_b], manifest)).ShouldBe(s_b);
        (await PlaceAsync(keyOfA, compatible: [s_a, s_b], manifest)).ShouldBe(s_a);
    }

    private static Task<SiloAddress> PlaceAsync(string key, SiloAddress[] compatible, ClusterManifest manifest)
    {
        var members = ImmutableDictionary.CreateRange(new[]
        {
            KeyValuePair.Create(s_a, new ClusterMember(s_a, SiloStatus.Active, "silo-a")),
            KeyValuePair.Create(s_b, new ClusterMember(s_b, SiloStatus.Active, "silo-b")),
        });
        var director = new RendezvousPlacementDirector(
            new Membership(new ClusterMembershipSnapshot(members, new MembershipVersion(7))),
            new Manifests(manifest),
            NullLogger<RendezvousPlacementDirector>.Instance);
        var target = new PlacementTarget(GrainId.Create(TypeName, key), new Dictionary<string, object>(), default, 0);
        return director.OnAddActivation(RendezvousPlacement.Instance, target, new Context(compatible));
    }

    private static ClusterManifest Manifest(params (SiloAddress Silo, bool WithGrainType)[] silos)
    {
        var withType = new GrainManifest(
            ImmutableDictionary<GrainType, GrainProperties>.Empty.Add(GrainType.Create(TypeName), new GrainProperties(ImmutableDictionary.Create<string, string>(StringComparer.Ordinal))),
            ImmutableDictionary<GrainInterfaceType, GrainInterfaceProperties>.Empty);
        var without = new GrainManifest(ImmutableDictionary<GrainType, GrainProperties>.Empty, ImmutableDictionary<GrainInterfaceType, GrainInterfaceProperties>.Empty);
        return new ClusterManifest(
            new MajorMinorVersion(7, 0),
            silos.ToImmutableDictionary(s => s.Silo, s => s.WithGrainType ? withType : without));
    }

    private sealed class Membership(ClusterMembershipSnapshot snapshot) : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot => snapshot;

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => AsyncEnumerable.Empty<ClusterMembershipSnapshot>();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }

    private sealed class Manifests(ClusterManifest current) : IClusterManifestProvider
    {
        public ClusterManifest Current => current;

        public IAsyncEnumerable<ClusterManifest> Updates => AsyncEnumerable.Empty<ClusterManifest>();

        public GrainManifest LocalGrainManifest => current.Silos[s_a];
    }

    /// <summary>Orleans' placement context: the silos it counts compatible (those whose manifest it holds and lists the type).</summary>
    private sealed class Context(SiloAddress[] compatible) : IPlacementContext
    {
        public SiloAddress LocalSilo => s_a;

        public SiloStatus LocalSiloStatus => SiloStatus.Active;

        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => compatible;

        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) =>
            new Dictionary<ushort, SiloAddress[]> { [0] = compatible };
    }
}
