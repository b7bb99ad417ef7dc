using System.Reflection;
using System.Text.Json;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Grains;

namespace SentinelSync.Admin;

/// <summary>
/// Calls any SentinelSync grain method by names with JSON arguments (<c>POST /api/grains/{type}/{key}/{method}</c>,
/// <c>sentinel call</c>): <c>Source</c> is <see cref="ISourceGrain"/>, <c>Table</c> <see cref="ITableGrain"/>,
/// <c>Sink</c> <see cref="ISinkGrain"/> (every string-keyed grain interface <c>I{Type}Grain</c> of the replication
/// assembly). The call goes through Orleans like any other, to wherever the grain lives.
/// </summary>
internal static class GrainCalls
{
    private static readonly Dictionary<string, Type> s_interfaces = typeof(ISourceGrain).Assembly.GetTypes()
        .Where(t => t.IsInterface && typeof(IGrainWithStringKey).IsAssignableFrom(t) && t.Name.StartsWith('I') && t.Name.EndsWith("Grain", StringComparison.Ordinal))
        .ToDictionary(t => t.Name[1..^"Grain".Length], StringComparer.OrdinalIgnoreCase);

    /// <summary>Invokes the method; returns its result (null for a method without one).</summary>
    /// <exception cref="KeyNotFoundException">No grain type <paramref name="grainType"/>.</exception>
    /// <exception cref="MissingMethodException">The grain type has no such method.</exception>
    /// <exception cref="ArgumentException"><paramref name="args"/> is not a JSON array of the method's parameters.</exception>
    public static async Task<object?> InvokeAsync(IGrainFactory grains, string grainType, string key, string method, JsonElement args)
    {
        var type = s_interfaces.GetValueOrDefault(grainType)
            ?? throw new KeyNotFoundException($"No grain type '{grainType}'; known: {string.Join(", ", s_interfaces.Keys.Order(StringComparer.Ordinal))}.");
        var target = type.GetMethods().FirstOrDefault(m => string.Equals(m.Name, method, StringComparison.OrdinalIgnoreCase))
            ?? throw new MissingMethodException($"Grain type '{grainType}' has no method '{method}'; it has: {string.Join(", ", type.GetMethods().Select(m => m.Name).Order(StringComparer.Ordinal))}.");
        var parameters = target.GetParameters();
        if (args.ValueKind != JsonValueKind.Array || args.GetArrayLength() != parameters.Length)
        {
            throw new ArgumentException($"{grainType}.{target.Name} takes {parameters.Length} argument(s) ({string.Join(", ", parameters.Select(p => $"{p.ParameterType.Name} {p.Name}"))}): send them as a JSON array.");
        }

        var values = parameters.Select((p, i) => Argument(args[i], p)).ToArray();
        var grain = grains.GetGrain(type, key);
        var task = (Task)target.Invoke(grain, values)!;
        await task;
        return target.ReturnType.IsGenericType ? target.ReturnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
    }

    private static object? Argument(JsonElement value, ParameterInfo parameter)
    {
        try
        {
            return value.Deserialize(parameter.ParameterType, FencedGrainStorage.Json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Argument '{parameter.Name}' is not a {parameter.ParameterType.Name}: {e.Message}", e);
        }
    }
}
