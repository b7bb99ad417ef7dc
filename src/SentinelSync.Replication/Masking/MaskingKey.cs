namespace SentinelSync.Replication.Masking;

/// <summary>One masking key (config <c>masking.keys[n]</c>): an id stored beside HMAC values, and the secret itself.</summary>
public sealed class MaskingKey
{
    /// <summary>Short name stored in front of every HMAC value (<c>k2024:...</c>): letters, digits, '_' and '-'.</summary>
    public string Id { get; set; } = "";

    /// <summary>The key material (its UTF-8 bytes), normally a <c>${file:}</c> or <c>${env:}</c> reference; never logged.</summary>
    public string Key { get; set; } = "";
}
