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
    private int _stopped;

    private Silo(SiloOptions options, Catalog catalog)
    {
        Options = options;
        _catalog = catalog;
    }

    public SiloOptions Options { get; }

    public string Name => Options.Name;

    public IGrainFactory GrainFactory => _catalog;

    /// <summary>Live activations of this silo.</summary>
    public int ActivationCount => _catalog.Count;

    /// <summary>Grain ids of this silo's activations (admin API, tests).</summary>
    public IReadOnlyList<GrainId> ActiveGrains => [.. _catalog.Activations.Select(a => a.GrainId)];

    public static async Task<Silo> StartAsync(
        SiloOptions options,
        NpgsqlDataSource? controlDatabase = null,
        IServiceProvider? services = null,
        IEnumerable<Assembly>? grainAssemblies = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
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

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SentinelSync.Runtime.Silo");
        var catalog = new Catalog(options, services ?? new ServiceCollection().BuildServiceProvider(), stateStore, leases, timeProvider ?? TimeProvider.System, logger);
        catalog.Start();
        return new Silo(options, catalog);
    }

    /// <summary>
    /// Calls a grain method by names with JSON arguments (admin API, gateway): <paramref name="args"/> is a JSON
    /// array; the result is the method's result object, or null for methods without one.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No grain type <paramref name="grainType"/> is registered.</exception>
    /// <exception cref="MissingMethodException">The grain type has no such method.</exception>
    public Task<object?> InvokeJsonAsync(string grainType, string key, string method, JsonElement args)
    {
        var grainClass = GrainTypes.FindClass(grainType)
            ?? throw new KeyNotFoundException($"Unknown grain type '{grainType}'. Known: {string.Join(", ", GrainTypes.Classes.Select(c => c.GrainType).Order())}.");
        var grainInterface = grainClass.Interfaces
            .Select(GrainTypes.GetInterface)
            .FirstOrDefault(i => i.Methods.Any(m => m.Name == method))
            ?? throw new MissingMethodException(grainType, method);
        var reference = grainInterface.CreateReference(new GrainId(grainType, key), _catalog);
        return grainInterface.InvokeJson(reference, method, args, Catalog.Json);
    }

    /// <summary>Graceful stop: running and queued calls finish, every grain deactivates (state flushed by its OnDeactivateAsync), leases are released.</summary>
    public Task StopAsync() =>
        Interlocked.Exchange(ref _stopped, 1) == 0 ? _catalog.StopAsync() : Task.CompletedTask;

    /// <summary>Abrupt stop, as if the process died: no deactivation, no lease release.</summary>
    public void Kill()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _catalog.Abandon();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
