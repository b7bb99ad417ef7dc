using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace SentinelSync.Runtime;

/// <summary>
/// A silo: the process-level host of grain activations. With a control database, grain state and leases
/// live there (schema created and migrated on start); without one, in memory (tests, benchmarks).
/// </summary>
public sealed class Silo : IAsyncDisposable
{
    private readonly Catalog _catalog;
    private readonly IClusterMembership? _membership;
    private readonly SiloEndpoint? _endpoint;
    private readonly TaskCompletionSource _died = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopped;

    private Silo(SiloOptions options, Catalog catalog, IClusterMembership? membership, SiloEndpoint? endpoint)
    {
        Options = options;
        _catalog = catalog;
        _membership = membership;
        _endpoint = endpoint;
        if (membership is not null)
        {
            membership.DeclaredDead += OnDeclaredDead;
        }
    }

    /// <summary>The silo-to-silo address (null without a cluster).</summary>
    public string? Address => _membership?.SiloAddress;

    /// <summary>Names of the active silos this silo sees (itself alone without a cluster).</summary>
    public IReadOnlyList<string> ClusterView => _membership?.ActiveSilos.Select(s => s.Name).ToList() ?? [Name];

    /// <summary>
    /// Completes when the cluster declared this silo dead (it stopped heartbeating for too long). The silo has
    /// then already stopped serving; the process should exit.
    /// </summary>
    public Task Died => _died.Task;

    public SiloOptions Options { get; }

    public string Name => Options.Name;

    public IGrainFactory GrainFactory => _catalog;

    /// <summary>Live activations of this silo.</summary>
    public int ActivationCount => _catalog.Count;

    /// <summary>
    /// Grain ids of this silo's running activations (admin API, tests). An activation still waiting for its
    /// lease (its grain is draining from another silo) or already deactivating is not listed.
    /// </summary>
    public IReadOnlyList<GrainId> ActiveGrains => [.. _catalog.Activations.Where(a => a.Status == ActivationStatus.Valid).Select(a => a.GrainId)];

    /// <summary>This silo's running activations (as <see cref="ActiveGrains"/>) counted by grain type, ordered by type.</summary>
    public IReadOnlyDictionary<string, int> ActivationsByType => _catalog.ActivationsByType();

    /// <summary>
    /// Another silo's running activations by grain type, asked at its silo-to-silo address (the membership
    /// entry's address). Fails with the transport's exception when that silo does not answer, and with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public Task<IReadOnlyDictionary<string, int>> GetActivationsByTypeAsync(string siloAddress, CancellationToken cancellationToken = default) =>
        _catalog.RemoteActivationsByTypeAsync(siloAddress, cancellationToken);

    /// <summary>Completes when the activation of <paramref name="grainId"/> on this silo (if any) has ended.</summary>
    public Task WaitForDeactivationAsync(GrainId grainId) =>
        _catalog.Activations.FirstOrDefault(a => a.GrainId == grainId)?.Deactivated ?? Task.CompletedTask;

    public static async Task<Silo> StartAsync(
        SiloOptions options,
        NpgsqlDataSource? controlDatabase = null,
        IServiceProvider? services = null,
        IEnumerable<Assembly>? grainAssemblies = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        ClusterOptions? cluster = null,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        var assemblies = (grainAssemblies ?? []).ToList();
        foreach (var assembly in assemblies)
        {
            GrainTypes.EnsureRegistered(assembly);
        }

        IGrainStateStore stateStore;
        IGrainLeaseStore leases;
        if (controlDatabase is null)
        {
            var memoryLeases = new InMemoryGrainLeaseStore();
            (stateStore, leases) = (new InMemoryGrainStateStore(memoryLeases), memoryLeases);
        }
        else
        {
            await ControlDatabase.MigrateAsync(controlDatabase, assemblies, cancellationToken).ConfigureAwait(false);
            (stateStore, leases) = (new PostgresGrainStateStore(controlDatabase), new PostgresGrainLeaseStore(controlDatabase, options.Name));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        timeProvider ??= TimeProvider.System;
        services ??= new ServiceCollection().BuildServiceProvider();
        var logger = loggerFactory.CreateLogger("SentinelSync.Runtime.Silo");
        if (cluster is null)
        {
            var single = new Catalog(options, services, stateStore, leases, timeProvider, logger);
            single.Start();
            return new Silo(options, single, null, null);
        }

        // Join order: serve silo-to-silo calls, register as Joining, then become Active (others start placing grains here).
        var table = controlDatabase is null ? throw new ArgumentException("A cluster needs a control database for its membership table.", nameof(controlDatabase)) : new PostgresMembershipTable(controlDatabase);
        var catalog = new Catalog(options, services, stateStore, leases, timeProvider, logger, cluster);
        var (endpoint, port) = await SiloEndpoint.StartAsync(catalog, cluster, cancellationToken).ConfigureAwait(false);
        IClusterMembership membership = new MembershipAgent(table, cluster.Membership, options.Name, $"http://{cluster.AdvertisedHost}:{port}", timeProvider, loggerFactory.CreateLogger<MembershipAgent>());
        await membership.JoinAsync(cancellationToken).ConfigureAwait(false);
        catalog.Start(membership);
        await membership.BecomeActiveAsync(cancellationToken).ConfigureAwait(false);
        return new Silo(options, catalog, membership, endpoint);
    }

    /// <summary>
    /// Calls a grain method by names with JSON arguments (admin API, gateway): <paramref name="args"/> is a JSON
    /// array; the result is the method's result object, or null for methods without one.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No grain type <paramref name="grainType"/> is registered.</exception>
    /// <exception cref="MissingMethodException">The grain type has no such method.</exception>
    public Task<object?> InvokeJsonAsync(string grainType, string key, string method, JsonElement args) =>
        _catalog.InvokeJsonAsync(grainType, key, method, args, runHere: false);

    /// <summary>
    /// Graceful stop: the silo turns ShuttingDown (others stop placing grains here), running and queued calls
    /// finish or move to the grains' new owners, every grain deactivates (state flushed by its
    /// OnDeactivateAsync, lease released), then the silo leaves the membership table and stops serving.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        if (_membership is not null)
        {
            await _membership.ShutDownAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _catalog.StopAsync().ConfigureAwait(false);
        if (_membership is not null)
        {
            await _membership.LeaveAsync(CancellationToken.None).ConfigureAwait(false);
            await _membership.DisposeAsync().ConfigureAwait(false);
        }

        if (_endpoint is not null)
        {
            await _endpoint.StopAsync().ConfigureAwait(false);
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Abrupt stop, as if the process died: no deactivation, no lease release, no goodbye in the membership table.</summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _membership?.Abandon();
        _catalog.Abandon();
        if (_endpoint is not null)
        {
            await _endpoint.KillAsync().ConfigureAwait(false);
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops heartbeating while the silo keeps running and serving (a long GC pause or a partition; tests).</summary>
    public void PauseHeartbeats() => _membership?.Pause();

    public void ResumeHeartbeats() => _membership?.Resume();

    /// <summary>The cluster declared this silo dead: it must not carry on. Activations are dropped without writing (their writes would be fenced anyway).</summary>
    private void OnDeclaredDead()
    {
        _ = KillAsync().ContinueWith(_ => _died.TrySetResult(), TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
