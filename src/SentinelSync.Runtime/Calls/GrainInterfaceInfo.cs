using System.Text.Json;

namespace SentinelSync.Runtime;

/// <summary>A grain interface as registered by generated code.</summary>
internal sealed record GrainInterfaceInfo(
    Type Interface,
    Func<GrainId, IGrainCallInvoker, object> CreateReference,
    Func<object, string, JsonElement, JsonSerializerOptions, Task<object?>> InvokeJson,
    IReadOnlyList<GrainMethod> Methods);
