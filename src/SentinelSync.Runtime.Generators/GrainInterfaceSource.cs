using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using static SentinelSync.Runtime.Generators.GrainCodeGenerator;

namespace SentinelSync.Runtime.Generators;

/// <summary>The generated code of one grain interface, built from its symbol. Equal when the code is equal (incremental caching).</summary>
internal sealed class GrainInterfaceSource
{
    private GrainInterfaceSource(string fullName, string code, string registration, IReadOnlyList<MethodError> errors)
    {
        FullName = fullName;
        Code = code;
        Registration = registration;
        Errors = errors;
    }

    public string FullName { get; }

    public string Code { get; }

    public string Registration { get; }

    public IReadOnlyList<MethodError> Errors { get; }

    public override bool Equals(object? obj) => obj is GrainInterfaceSource other && other.FullName == FullName && other.Code == Code;

    public override int GetHashCode() => FullName.GetHashCode();

    public static GrainInterfaceSource? From(INamedTypeSymbol? symbol)
    {
        if (symbol is null || !IsGrainInterface(symbol) || symbol.IsGenericType)
        {
            return null;
        }

        var interfaceType = TypeName(symbol);
        var displayName = symbol.ToDisplayString();
        var baseName = Identifier(displayName);
        var referenceName = $"{baseName}_Reference";
        var errors = new List<MethodError>();
        var methods = GrainMethods(symbol);
        var code = new StringBuilder();

        code.AppendLine($"internal sealed class {referenceName} : {RuntimeType("GrainReference")}, {interfaceType}");
        code.AppendLine("{");
        code.AppendLine($"    public {referenceName}({RuntimeType("GrainId")} grainId, {RuntimeType("IGrainCallInvoker")} invoker) : base(grainId, invoker) {{ }}");
        var models = new List<MethodModel>();
        foreach (var method in methods)
        {
            var model = MethodModel.From(method, baseName, out var error);
            if (model is null)
            {
                errors.Add(new MethodError(method.Name, error!, method.Locations.FirstOrDefault() ?? Location.None));
                continue;
            }

            if (models.Any(m => m.Name == model.Name))
            {
                errors.Add(new MethodError(method.Name, "grain method names must be unique within an interface (no overloads)", method.Locations.FirstOrDefault() ?? Location.None));
                continue;
            }

            models.Add(model);
            code.AppendLine();
            code.AppendLine($"    {TypeName(method.ReturnType)} {TypeName(method.ContainingType)}.{method.Name}({string.Join(", ", model.Parameters.Select(p => $"{p.Type} {p.Name}"))})");
            var call = $"Invoker.InvokeAsync<{interfaceType}, {model.ResultType}, {model.InvocationName}>(GrainId, new {model.InvocationName}({string.Join(", ", model.Parameters.Select(p => p.Name))}))";
            code.AppendLine(model.Kind switch
            {
                ReturnKind.ValueTask => $"        => new global::System.Threading.Tasks.ValueTask({call});",
                ReturnKind.ValueTaskOfT => $"        => new {TypeName(method.ReturnType)}({call});",
                _ => $"        => {call};",
            });
        }

        code.AppendLine("}");
        code.AppendLine();

        foreach (var model in models)
        {
            model.AppendInvocation(code, interfaceType, displayName);
        }

        AppendJsonDispatcher(code, baseName, interfaceType, displayName, models);

        var methodInfos = string.Join(", ", models.Select(m => $"{m.InvocationName}.s_method"));
        var registration = $"{RuntimeType("GrainTypes")}.RegisterInterface<{interfaceType}>(static (id, invoker) => new {referenceName}(id, invoker), {baseName}_Json.InvokeAsync, new {RuntimeType("GrainMethod")}[] {{ {methodInfos} }});";
        return new GrainInterfaceSource(displayName, code.ToString(), registration, errors);
    }

    private static void AppendJsonDispatcher(StringBuilder code, string baseName, string interfaceType, string displayName, List<MethodModel> models)
    {
        code.AppendLine($"internal static class {baseName}_Json");
        code.AppendLine("{");
        code.AppendLine($"    public static async global::System.Threading.Tasks.Task<object?> InvokeAsync({interfaceType} grain, string method, global::System.Text.Json.JsonElement args, global::System.Text.Json.JsonSerializerOptions options)");
        code.AppendLine("    {");
        code.AppendLine("        switch (method)");
        code.AppendLine("        {");
        foreach (var model in models)
        {
            code.AppendLine($"            case \"{model.Name}\":");
            code.AppendLine($"                {RuntimeType("GrainJsonArguments")}.RequireCount(args, {model.Parameters.Count}, \"{displayName}.{model.Name}\");");
            var arguments = string.Join(", ", model.Parameters.Select((p, i) => $"{RuntimeType("GrainJsonArguments")}.Get<{p.Type}>(args, {i}, \"{p.Name}\", options)"));
            if (model.HasResult)
            {
                code.AppendLine($"                return await grain.{model.Name}({arguments}).ConfigureAwait(false);");
            }
            else
            {
                code.AppendLine($"                await grain.{model.Name}({arguments}).ConfigureAwait(false);");
                code.AppendLine("                return null;");
            }
        }

        code.AppendLine($"            default: throw new global::System.MissingMethodException(\"{displayName}\", method);");
        code.AppendLine("        }");
        code.AppendLine("    }");
        code.AppendLine("}");
        code.AppendLine();
    }
}
