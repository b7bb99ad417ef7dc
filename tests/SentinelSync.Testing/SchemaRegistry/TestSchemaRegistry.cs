using Confluent.SchemaRegistry;

namespace SentinelSync.Testing.SchemaRegistry;

/// <summary>
/// The Schema Registry a test talks to: the <see cref="SchemaRegistryStandIn"/> (clearly not Confluent's registry), or
/// the real registry named by <see cref="SchemaRegistryStandIn.RegistryVariable"/> with <c>real: true</c>.
/// </summary>
public sealed class TestSchemaRegistry : IAsyncDisposable
{
    private readonly SchemaRegistryStandIn? _standIn;

    private TestSchemaRegistry(string url, SchemaRegistryStandIn? standIn)
    {
        Url = url;
        _standIn = standIn;
        Client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = url });
    }

    public string Url { get; }

    /// <summary>Confluent's own client of this registry, for a test's assertions.</summary>
    public CachedSchemaRegistryClient Client { get; }

    /// <summary>The stand-in, or null against a real registry.</summary>
    public SchemaRegistryStandIn? StandIn => _standIn;

    /// <summary>The stand-in, or (<paramref name="real"/>) the registry of <see cref="SchemaRegistryStandIn.RegistryVariable"/>.</summary>
    public static TestSchemaRegistry Start(bool real = false)
    {
        if (!real)
        {
            var standIn = SchemaRegistryStandIn.Start();
            return new TestSchemaRegistry(standIn.Url, standIn);
        }

        var url = Environment.GetEnvironmentVariable(SchemaRegistryStandIn.RegistryVariable);
        return string.IsNullOrEmpty(url)
            ? throw new InvalidOperationException($"{SchemaRegistryStandIn.RegistryVariable} is not set")
            : new TestSchemaRegistry(url, null);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_standIn is not null)
        {
            await _standIn.DisposeAsync();
        }
    }
}
