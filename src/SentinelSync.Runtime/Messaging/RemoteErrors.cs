namespace SentinelSync.Runtime;

/// <summary>Turns an error reported by another silo back into an exception of the same type and message where possible.</summary>
internal static class RemoteErrors
{
    public static Exception Recreate(string typeName, string message, string silo)
    {
        var type = Type.GetType(typeName, throwOnError: false);
        if (type is not null && typeof(Exception).IsAssignableFrom(type) && type.GetConstructor([typeof(string)]) is { } constructor)
        {
            try
            {
                return (Exception)constructor.Invoke([message]);
            }
            catch (System.Reflection.TargetInvocationException)
            {
                // Fall through: keep the remote type's name and message.
            }
        }

        return new GrainCallException(typeName, message, silo);
    }
}
