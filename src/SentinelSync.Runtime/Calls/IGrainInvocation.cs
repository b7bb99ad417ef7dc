using System.Text.Json;

namespace SentinelSync.Runtime;

/// <summary>
/// One call of a grain method with its arguments, written by the source generator as a struct per method so
/// that an in-silo call that finds its activation idle allocates nothing for the request.
/// </summary>
public interface IGrainInvocation<in TGrainInterface, TResult>
{
    GrainMethod Method { get; }

    /// <summary>Calls the method on the grain. A method without a result returns <see cref="VoidResult"/>.</summary>
    Task<TResult> InvokeAsync(TGrainInterface grain);

    /// <summary>Writes the arguments as a JSON array (cross-silo calls and the admin API).</summary>
    void WriteArguments(Utf8JsonWriter writer, JsonSerializerOptions options);
}

/// <summary>The result of a grain method that returns a plain <see cref="Task"/>.</summary>
public readonly record struct VoidResult;
