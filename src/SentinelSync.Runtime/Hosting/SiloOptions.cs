namespace SentinelSync.Runtime;

/// <summary>Options of one silo (config section <c>silo</c>).</summary>
public sealed class SiloOptions
{
    public const string SectionName = "silo";

    /// <summary>Unique within the cluster.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>An activation with no call for this long deactivates.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(1);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("silo.name must not be empty.");
        }

        if (IdleTimeout <= TimeSpan.Zero || CollectionInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("silo.idleTimeout and silo.collectionInterval must be positive.");
        }
    }
}
