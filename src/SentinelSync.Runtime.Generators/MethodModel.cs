using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using static SentinelSync.Runtime.Generators.GrainCodeGenerator;

namespace SentinelSync.Runtime.Generators;

/// <summary>One grain method, reduced to the strings the generated code needs.</summary>
internal sealed class MethodModel
{
    private MethodModel(string name, string invocationName, ReturnKind kind, string resultType, IReadOnlyList<(string Type, string Name)> parameters, bool isReadOnly, bool isIdempotent)
    {
        Name = name;
        InvocationName = invocationName;
        Kind = kind;
        ResultType = resultType;
        Parameters = parameters;
        IsReadOnly = isReadOnly;
        IsIdempotent = isIdempotent;
    }

    public string Name { get; }

    public string InvocationName { get; }

    public ReturnKind Kind { get; }

    /// <summary>The runtime's result type: the method's own, or VoidResult.</summary>
    public string ResultType { get; }

    public IReadOnlyList<(string Type, string Name)> Parameters { get; }

    public bool IsReadOnly { get; }

    public bool IsIdempotent { get; }

    public bool HasResult => Kind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT;

    public static MethodModel? From(IMethodSymbol method, string baseName, out string? error)
    {
        error = null;
        if (method.IsGenericMethod)
        {
            error = "generic methods cannot be grain methods";
            return null;
        }

        if (method.Parameters.Any(p => p.RefKind != RefKind.None))
        {
            error = "ref, out and in parameters cannot cross a grain boundary";
            return null;
        }

        var returnType = method.ReturnType as INamedTypeSymbol;
        var returnName = returnType?.ConstructedFrom.ToDisplayString();
        var kind = returnName switch
        {
            "System.Threading.Tasks.Task" => ReturnKind.Task,
            "System.Threading.Tasks.Task<TResult>" => ReturnKind.TaskOfT,
            "System.Threading.Tasks.ValueTask" => ReturnKind.ValueTask,
            "System.Threading.Tasks.ValueTask<TResult>" => ReturnKind.ValueTaskOfT,
            _ => (ReturnKind?)null,
        };
        if (kind is null)
        {
            error = "a grain method returns Task, Task<T>, ValueTask or ValueTask<T>";
            return null;
        }

        var resultType = kind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT
            ? TypeName(returnType!.TypeArguments[0])
            : RuntimeType("VoidResult");
        var parameters = method.Parameters.Select(p => (TypeName(p.Type), "@" + p.Name)).ToList();
        var attributes = method.GetAttributes().Select(a => a.AttributeClass?.ToDisplayString()).ToList();
        return new MethodModel(
            method.Name,
            $"{baseName}_{method.Name}_Invocation",
            kind.Value,
            resultType,
            parameters,
            attributes.Contains("SentinelSync.Runtime.ReadOnlyAttribute"),
            attributes.Contains("SentinelSync.Runtime.IdempotentAttribute"));
    }

    public void AppendInvocation(StringBuilder code, string interfaceType, string interfaceDisplayName)
    {
        var arguments = string.Join(", ", Parameters.Select((_, i) => $"_arg{i}"));
        code.AppendLine($"internal readonly struct {InvocationName} : {RuntimeType("IGrainInvocation")}<{interfaceType}, {ResultType}>");
        code.AppendLine("{");
        code.AppendLine($"    internal static readonly {RuntimeType("GrainMethod")} s_method = new(\"{interfaceDisplayName}\", \"{Name}\", {Bool(IsReadOnly)}, {Bool(IsIdempotent)});");
        for (var i = 0; i < Parameters.Count; i++)
        {
            code.AppendLine($"    private readonly {Parameters[i].Type} _arg{i};");
        }

        code.AppendLine($"    public {InvocationName}({string.Join(", ", Parameters.Select(p => $"{p.Type} {p.Name}"))})");
        code.AppendLine("    {");
        for (var i = 0; i < Parameters.Count; i++)
        {
            code.AppendLine($"        _arg{i} = {Parameters[i].Name};");
        }

        code.AppendLine("    }");
        code.AppendLine($"    public {RuntimeType("GrainMethod")} Method => s_method;");
        var call = $"grain.{Name}({arguments})";
        code.AppendLine($"    public global::System.Threading.Tasks.Task<{ResultType}> InvokeAsync({interfaceType} grain) => {Kind switch
        {
            ReturnKind.TaskOfT => call,
            ReturnKind.Task => $"{RuntimeType("GrainInvocationResults")}.FromTask({call})",
            _ => $"{RuntimeType("GrainInvocationResults")}.FromValueTask({call})",
        }};");
        code.AppendLine("    public void WriteArguments(global::System.Text.Json.Utf8JsonWriter writer, global::System.Text.Json.JsonSerializerOptions options)");
        code.AppendLine("    {");
        code.AppendLine("        writer.WriteStartArray();");
        for (var i = 0; i < Parameters.Count; i++)
        {
            code.AppendLine($"        global::System.Text.Json.JsonSerializer.Serialize(writer, _arg{i}, options);");
        }

        code.AppendLine("        writer.WriteEndArray();");
        code.AppendLine("    }");
        code.AppendLine("}");
        code.AppendLine();
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
