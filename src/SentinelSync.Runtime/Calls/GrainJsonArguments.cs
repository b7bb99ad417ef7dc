using System.Text.Json;

namespace SentinelSync.Runtime;

/// <summary>Reads the JSON argument array of a grain call (used by generated dispatchers), with errors that name the argument.</summary>
public static class GrainJsonArguments
{
    public static void RequireCount(JsonElement args, int count, string method)
    {
        var actual = args.ValueKind == JsonValueKind.Array ? args.GetArrayLength() : -1;
        if (actual != count)
        {
            throw new ArgumentException(actual < 0
                ? $"{method} takes its arguments as a JSON array of {count} element(s); got {args.ValueKind}."
                : $"{method} takes {count} argument(s); got {actual}.");
        }
    }

    public static T Get<T>(JsonElement args, int index, string name, JsonSerializerOptions options)
    {
        try
        {
            return args[index].Deserialize<T>(options)!;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Argument {index} ('{name.TrimStart('@')}') is not a valid {typeof(T).Name}: {e.Message}", name.TrimStart('@'), e);
        }
    }
}
