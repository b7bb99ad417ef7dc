using System.Data.Common;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Lets every failure of a grain call reach its caller on any silo with its meaning: the project's exceptions
/// and .NET's and Orleans' own cross as they are (they have codecs); any other type is replaced by a
/// <see cref="GrainCallFailedException"/> carrying its type name, message and SQLSTATE.
/// </summary>
public sealed class ExceptionWrappingFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (!Crosses(e.GetType()))
        {
            throw new GrainCallFailedException(e.GetType().FullName ?? e.GetType().Name, e.Message, (e as DbException)?.SqlState);
        }
    }

    private static bool Crosses(Type type) =>
        type.IsDefined(typeof(GenerateSerializerAttribute), inherit: false)
        || type.Namespace is { } ns && (ns.StartsWith("System", StringComparison.Ordinal) || ns.StartsWith("Orleans", StringComparison.Ordinal));
}
