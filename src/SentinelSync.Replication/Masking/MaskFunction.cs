namespace SentinelSync.Replication.Masking;

/// <summary>How a masked column's values are replaced before they reach a sink (config: <c>mask: { column: hmac }</c>).</summary>
public enum MaskFunction
{
    /// <summary>HMAC-SHA256 under the active masking key, stored as <c>keyId:base64url</c> so keys can rotate.</summary>
    Hmac,

    /// <summary>SHA-256 of the configured salt and the value, lowercase hex.</summary>
    Sha256,

    /// <summary>The constant <see cref="Masker.Redacted"/>.</summary>
    Redact,

    /// <summary>A deterministic keyed token of the value's shape (emails stay emails, digits stay digits).</summary>
    Tokenize,
}
