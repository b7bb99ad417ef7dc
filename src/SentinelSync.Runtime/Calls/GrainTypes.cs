using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace SentinelSync.Runtime;

/// <summary>
/// What the source generator registers from each assembly's module initializer: for every grain interface a
/// reference factory and a JSON dispatcher, and for every grain class the interfaces it implements.
/// </summary>
public static class GrainTypes
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceInfo> s_interfaces = new();
    private static readonly ConcurrentDictionary<Type, GrainClassInfo> s_classesByInterface = new();
    private static readonly ConcurrentDictionary<string, GrainClassInfo> s_classesByType = new(StringComparer.Ordinal);

    /// <summary>Called by generated code.</summary>
    public static void RegisterInterface<TGrainInterface>(
        Func<GrainId, IGrainCallInvoker, TGrainInterface> createReference,
        Func<TGrainInterface, string, JsonElement, JsonSerializerOptions, Task<object?>> invokeJson,
        IReadOnlyList<GrainMethod> methods)
        where TGrainInterface : IGrainWithStringKey
    {
        s_interfaces[typeof(TGrainInterface)] = new GrainInterfaceInfo(
            typeof(TGrainInterface),
            (id, invoker) => createReference(id, invoker),
            (reference, method, args, options) => invokeJson((TGrainInterface)reference, method, args, options),
            methods);
    }

    /// <summary>Called by generated code.</summary>
    public static void RegisterClass(Type grainClass, string grainType, params Type[] grainInterfaces)
    {
        var info = new GrainClassInfo(grainClass, grainType, grainInterfaces);
        if (!s_classesByType.TryAdd(grainType, info) && s_classesByType[grainType].Class != grainClass)
        {
            throw new InvalidOperationException($"Grain type '{grainType}' is claimed by both {s_classesByType[grainType].Class} and {grainClass}.");
        }

        foreach (var grainInterface in grainInterfaces)
        {
            s_classesByInterface[grainInterface] = info;
        }
    }

    /// <summary>Makes sure the generated registrations of <paramref name="assembly"/> ran.</summary>
    public static void EnsureRegistered(Assembly assembly) => RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);

    internal static GrainInterfaceInfo GetInterface(Type grainInterface)
    {
        if (s_interfaces.TryGetValue(grainInterface, out var info))
        {
            return info;
        }

        EnsureRegistered(grainInterface.Assembly);
        return s_interfaces.TryGetValue(grainInterface, out info)
            ? info
            : throw new InvalidOperationException($"{grainInterface} has no generated grain reference. Is it an interface deriving from IGrainWithStringKey in a project that references SentinelSync.Runtime.Generators as an analyzer?");
    }

    internal static GrainClassInfo GetClass(Type grainInterface) =>
        s_classesByInterface.TryGetValue(grainInterface, out var info)
            ? info
            : throw new InvalidOperationException($"No grain class implements {grainInterface}. Register the assembly that holds it with GrainTypes.EnsureRegistered or the silo's grain assemblies.");

    internal static GrainClassInfo? FindClass(string grainType) => s_classesByType.GetValueOrDefault(grainType);

    internal static IEnumerable<GrainClassInfo> Classes => s_classesByType.Values;
}
