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

    public Catalog(SiloOptions options, IServiceProvider services, IGrainStateStore stateStore, IGrainLeaseStore leases, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _services = services;
        _logger = logger;
        StateStore = stateStore;
        Leases = leases;
        TimeProvider = timeProvider;
    }

    public TimeProvider TimeProvider { get; }

    public IGrainStateStore StateStore { get; }

    public IGrainLeaseStore Leases { get; }

    public CancellationToken ShutdownToken => _shutdown.Token;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public int Count => _activations.Count;

    public IEnumerable<ActivationData> Activations => _activations.Values;

    public void Start()
    {
        RuntimeInstruments.ObserveQueues(this);
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
        _shutdown.Cancel();
        _activations.Clear();
    }
}
