using System.Linq;
using Microsoft.CodeAnalysis;
using static SentinelSync.Runtime.Generators.GrainCodeGenerator;

namespace SentinelSync.Runtime.Generators;

/// <summary>The registration line of one grain class: its grain type name and grain interfaces.</summary>
internal sealed class GrainClassSource
{
    private GrainClassSource(string registration) => Registration = registration;

    public string Registration { get; }

    public override bool Equals(object? obj) => obj is GrainClassSource other && other.Registration == Registration;

    public override int GetHashCode() => Registration.GetHashCode();

    public static GrainClassSource? From(INamedTypeSymbol? symbol)
    {
        if (symbol is null || symbol.IsAbstract || symbol.IsGenericType || !DerivesFromGrain(symbol))
        {
            return null;
        }

        var interfaces = symbol.AllInterfaces.Where(IsGrainInterface).Select(i => $"typeof({TypeName(i)})").ToList();
        if (interfaces.Count == 0)
        {
            return null;
        }

        var explicitName = symbol.GetAttributes()
            .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "SentinelSync.Runtime.GrainTypeAttribute")
            ?.ConstructorArguments.FirstOrDefault().Value as string;
        var grainType = explicitName ?? (symbol.Name.EndsWith("Grain") && symbol.Name.Length > 5 ? symbol.Name.Substring(0, symbol.Name.Length - 5) : symbol.Name);
        return new GrainClassSource($"{RuntimeType("GrainTypes")}.RegisterClass(typeof({TypeName(symbol)}), \"{grainType}\", {string.Join(", ", interfaces)});");
    }

    private static bool DerivesFromGrain(INamedTypeSymbol symbol)
    {
        for (var type = symbol.BaseType; type is not null; type = type.BaseType)
        {
            if (type.Name == "Grain" && type.ContainingNamespace?.ToDisplayString() == "SentinelSync.Runtime")
            {
                return true;
            }
        }

        return false;
    }
}
