using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SentinelSync.Runtime;

/// <summary>
/// The silo's activations: creates them on first call (virtual activation), routes calls to them, collects
/// idle ones and deactivates all on shutdown. It is the silo's <see cref="IGrainFactory"/> and the invoker
/// behind every generated reference.
/// </summary>
internal sealed partial class Catalog : IGrainFactory, IGrainCallInvoker
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<Type, ConstructorInfo> _constructors = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly IServiceProvider _services;
    private readonly SiloOptions _options;
    private readonly ILogger _logger;
    private ITimer? _collector;
    private volatile bool _stopping;

    private IClusterMembership? _cluster;
    private readonly RemoteGrainInvoker? _remote;
    private readonly LocalGrainCallInvoker _local;

    public Catalog(SiloOptions options, IServiceProvider services, IGrainStateStore stateStore, IGrainLeaseStore leases, TimeProvider timeProvider, ILogger logger, ClusterOptions? clusterOptions = null)
    {
        _options = options;
        ClusterOptions = clusterOptions;
        _remote = clusterOptions is null ? null : new RemoteGrainInvoker(clusterOptions.CallTimeout);
        _local = new LocalGrainCallInvoker(this);
        _services = services;
        _logger = logger;
        StateStore = stateStore;
        Leases = leases;
        TimeProvider = timeProvider;
    }

    public TimeProvider TimeProvider { get; }

    public ClusterOptions? ClusterOptions { get; }

    public string SiloName => _options.Name;

    public bool IsStopping => _stopping;

    public IGrainStateStore StateStore { get; }

    public IGrainLeaseStore Leases { get; }

    public CancellationToken ShutdownToken => _shutdown.Token;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public int Count => _activations.Count;

    public IEnumerable<ActivationData> Activations => _activations.Values;

    /// <summary>Running activations (<see cref="ActivationStatus.Valid"/>) counted by grain type, ordered by type.</summary>
    public IReadOnlyDictionary<string, int> ActivationsByType() =>
        _activations.Values.Where(a => a.Status == ActivationStatus.Valid)
            .GroupBy(a => a.GrainId.Type, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>
    /// The running activations of another silo by grain type, asked over the silo-to-silo endpoint. Without a
    /// cluster there is no other silo: <see cref="InvalidOperationException"/>.
    /// </summary>
    public Task<IReadOnlyDictionary<string, int>> RemoteActivationsByTypeAsync(string siloAddress, CancellationToken cancellationToken) =>
        (_remote ?? throw new InvalidOperationException("This silo is not part of a cluster.")).GetActivationsAsync(siloAddress, cancellationToken);

    /// <summary>Starts collecting idle activations and, in a cluster, routing calls by the membership view.</summary>
    public void Start(IClusterMembership? cluster = null)
    {
        RuntimeInstruments.ObserveQueues(this);
        _cluster = cluster;
        if (cluster is not null)
        {
            cluster.ViewChanged += Rebalance;
        }

        _collector = TimeProvider.CreateTimer(static state => ((Catalog)state!).CollectIdle(), this, _options.CollectionInterval, _options.CollectionInterval);
    }

    public TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        var grainClass = GrainTypes.GetClass(typeof(TGrainInterface));
        return (TGrainInterface)GrainTypes.GetInterface(typeof(TGrainInterface)).CreateReference(new GrainId(grainClass.GrainType, key), this);
    }

    public Task<TResult> InvokeAsync<TGrainInterface, TResult, TInvocation>(GrainId grainId, TInvocation invocation)
        where TGrainInterface : IGrainWithStringKey
        where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult>
    {
        var owner = RemoteOwner(grainId);
        return owner is null
            ? InvokeLocalAsync<TGrainInterface, TResult, TInvocation>(grainId, invocation)
            : InvokeRemoteAsync<TGrainInterface, TResult, TInvocation>(owner, grainId, invocation);
    }

    /// <summary>
    /// The other silo a call must go to, or null to run it here: an existing activation here holds the lease
    /// and takes the call; prefer-local grains activate here; others go to their rendezvous owner among the
    /// active silos (this silo excluded while it stops).
    /// </summary>
    private MembershipEntry? RemoteOwner(GrainId grainId)
    {
        if (_cluster is null || (!_stopping && (_activations.ContainsKey(grainId) || GrainTypes.FindClass(grainId.Type)?.PreferLocal == true)))
        {
            return null;
        }

        var silos = _cluster.ActiveSilos;
        if (_stopping)
        {
            silos = [.. silos.Where(s => s.Name != _options.Name)];
        }

        var owner = RendezvousPlacement.Owner(grainId, silos);
        return owner is null || owner.Name == _options.Name ? null : owner;
    }

    /// <summary>
    /// A call to another silo. When that silo cannot be reached or is leaving, an idempotent method is retried
    /// once after re-reading membership and re-resolving its owner; other methods fail with the reason.
    /// </summary>
    private async Task<TResult> InvokeRemoteAsync<TGrainInterface, TResult, TInvocation>(MembershipEntry owner, GrainId grainId, TInvocation invocation)
        where TGrainInterface : IGrainWithStringKey
        where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult>
    {
        try
        {
            return await _remote!.SendAsync<TGrainInterface, TResult, TInvocation>(owner, grainId, invocation).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e) && invocation.Method.IsIdempotent)
        {
            await _cluster!.RefreshAsync(_shutdown.Token).ConfigureAwait(false);
            var next = RemoteOwner(grainId);
            return next is null
                ? await InvokeLocalAsync<TGrainInterface, TResult, TInvocation>(grainId, invocation).ConfigureAwait(false)
                : await _remote!.SendAsync<TGrainInterface, TResult, TInvocation>(next, grainId, invocation).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            throw new SiloUnavailableException(owner.Name, $"call {invocation.Method} to {grainId} failed: {e.Message}");
        }
    }

    private static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or SiloUnavailableException
        || (e is GrainCallException remote && remote.RemoteType == typeof(SiloUnavailableException).FullName);

    public Task<TResult> InvokeLocalAsync<TGrainInterface, TResult, TInvocation>(GrainId grainId, TInvocation invocation)
        where TGrainInterface : IGrainWithStringKey
        where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult>
    {
        var chain = CallChain.Current;
        while (true)
        {
            if (!_activations.TryGetValue(grainId, out var activation))
            {
                if (_stopping)
                {
                    return Task.FromException<TResult>(new SiloUnavailableException(_options.Name, $"cannot activate {grainId} while the silo stops"));
                }

                activation = _activations.GetOrAdd(grainId, static (id, catalog) => catalog.NewActivation(id), this);
            }

            try
            {
                if (activation.TryInvoke<TGrainInterface, TResult, TInvocation>(invocation, chain, out var task))
                {
                    return task;
                }
            }
            catch (Exception e)
            {
                return Task.FromException<TResult>(e);
            }

            _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(grainId, activation));
        }
    }

    private ActivationData NewActivation(GrainId grainId)
    {
        var grainClass = GrainTypes.FindClass(grainId.Type)
            ?? throw new InvalidOperationException($"Unknown grain type '{grainId.Type}'.");
        return new ActivationData(grainId, grainClass, this);
    }

    /// <summary>Builds the grain: constructor parameters marked [PersistentState] get state handles, the rest come from services.</summary>
    internal Grain CreateInstance(ActivationData activation, out List<IPersistentStateHandle> states)
    {
        var constructor = _constructors.GetOrAdd(activation.GrainClass.Class, static type =>
            type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"Grain class {type} has no public constructor."));
        states = [];
        var parameters = constructor.GetParameters();
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var stateAttribute = parameters[i].GetCustomAttribute<PersistentStateAttribute>();
            if (stateAttribute is not null)
            {
                var stateType = parameters[i].ParameterType.GetGenericArguments()[0];
                var handle = (IPersistentStateHandle)Activator.CreateInstance(
                    typeof(PersistentState<>).MakeGenericType(stateType), activation, stateAttribute.StateName, StateStore, Json)!;
                states.Add(handle);
                arguments[i] = handle;
            }
            else
            {
                arguments[i] = parameters[i].ParameterType == typeof(IGrainFactory)
                    ? this
                    : parameters[i].HasDefaultValue
                        ? _services.GetService(parameters[i].ParameterType) ?? parameters[i].DefaultValue
                        : _services.GetRequiredService(parameters[i].ParameterType);
            }
        }

        var grain = (Grain)constructor.Invoke(arguments);
        grain.Activation = activation;
        return grain;
    }

    /// <summary>Calls a grain method by names with JSON arguments; <paramref name="runHere"/> bypasses placement (calls routed here by another silo).</summary>
    public Task<object?> InvokeJsonAsync(string grainType, string key, string method, JsonElement args, bool runHere)
    {
        var grainClass = GrainTypes.FindClass(grainType)
            ?? throw new KeyNotFoundException($"Unknown grain type '{grainType}'. Known: {string.Join(", ", GrainTypes.Classes.Select(c => c.GrainType).Order())}.");
        var grainInterface = grainClass.Interfaces
            .Select(GrainTypes.GetInterface)
            .FirstOrDefault(i => i.Methods.Any(m => m.Name == method))
            ?? throw new MissingMethodException(grainType, method);
        var reference = grainInterface.CreateReference(new GrainId(grainType, key), runHere ? _local : this);
        return grainInterface.InvokeJson(reference, method, args, Json);
    }

    /// <summary>The cluster changed: grains whose owner is now another silo drain from here (flush, release the lease) and activate there on their next call.</summary>
    private void Rebalance()
    {
        var silos = _cluster!.ActiveSilos;
        foreach (var activation in _activations.Values)
        {
            if (!activation.GrainClass.PreferLocal && RendezvousPlacement.Owner(activation.GrainId, silos) is { } owner && owner.Name != _options.Name)
            {
                _ = activation.DeactivateAsync(DeactivationReason.Rebalance);
            }
        }
    }

    internal void Remove(ActivationData activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));

    private void CollectIdle()
    {
        foreach (var activation in _activations.Values)
        {
            activation.DeactivateIfIdle(_options.IdleTimeout);
        }
    }

    /// <summary>Graceful stop: no new activations; every activation finishes its queued calls and deactivates.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        if (_cluster is not null)
        {
            _cluster.ViewChanged -= Rebalance;
        }

        _collector?.Dispose();
        RuntimeInstruments.ForgetQueues(this);
        await Task.WhenAll(_activations.Values.Select(a => a.DeactivateAsync(DeactivationReason.SiloShutdown))).ConfigureAwait(false);
        await _shutdown.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Abrupt stop (tests of failure): nothing is flushed, no lease released.</summary>
    public void Abandon()
    {
        _stopping = true;
        _collector?.Dispose();
        RuntimeInstruments.ForgetQueues(this);
        if (_cluster is not null)
        {
            _cluster.ViewChanged -= Rebalance;
        }

        _shutdown.Cancel();
        _activations.Clear();
    }
}
