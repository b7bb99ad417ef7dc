using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SentinelSync.Replication.Masking;

/// <summary>
/// The mask functions over a value's text (Postgres' text format, as the value travels). Every function is
/// deterministic: the same text under the same salt and key gives the same result in every table, sink and
/// silo, so masked columns still join. Thread-safe.
/// </summary>
public sealed class Masker
{
    /// <summary>What <see cref="MaskFunction.Redact"/> writes in place of any non-NULL value.</summary>
    public const string Redacted = "[redacted]";

    /// <summary>Reserved top-level domain (RFC 2606) of tokenized emails: a token is never a deliverable address.</summary>
    public const string TokenDomain = ".invalid";

    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private readonly byte[] _salt;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string? _activeId;
    private readonly byte[]? _activeKey;

    // One HMAC context per thread under the active key: creating one per value costs about twice the hashing itself.
    private readonly ThreadLocal<IncrementalHash> _activeHmac;

    // Tokenize's own key when masking.tokenizeKey pins one (null: the active key).
    private readonly byte[]? _tokenizeKey;
    private readonly ThreadLocal<IncrementalHash>? _tokenizeHmac;

    public Masker(MaskingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _salt = Encoding.UTF8.GetBytes(options.Salt ?? "");
        _keys = options.Keys.ToDictionary(k => k.Id, k => Encoding.UTF8.GetBytes(k.Key), StringComparer.Ordinal);
        _activeId = options.ActiveKey;
        _activeKey = options.ActiveKey is { } id && _keys.TryGetValue(id, out var key) ? key : null;
        _activeHmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, ActiveKey()));
        if (options.TokenizeKey is { } tokenizeId)
        {
            _tokenizeKey = _keys.TryGetValue(tokenizeId, out var pinned)
                ? pinned
                : throw new ArgumentException($"masking.tokenizeKey '{tokenizeId}' names no configured key.", nameof(options));
            _tokenizeHmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _tokenizeKey));
        }
    }

    public string Mask(MaskFunction function, string text) => function switch
    {
        MaskFunction.Hmac => Hmac(text),
        MaskFunction.Sha256 => Sha256(text),
        MaskFunction.Redact => Redacted,
        MaskFunction.Tokenize => Tokenize(text),
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, null),
    };

    /// <summary><c>keyId:</c> and the base64url HMAC-SHA256 of the text under the active key (no padding).</summary>
    public string Hmac(string text) => $"{_activeId}:{Base64Url(ActiveHmac(Encoding.UTF8.GetBytes(text)))}";

    /// <summary>
    /// Whether <paramref name="masked"/> is the HMAC of <paramref name="text"/> under the key its id names, active or
    /// not: values masked before a rotation stay verifiable as long as their key stays configured.
    /// </summary>
    public bool VerifyHmac(string masked, string text)
    {
        var colon = masked.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !_keys.TryGetValue(masked[..colon], out var key))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text))));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(masked[(colon + 1)..]));
    }

    /// <summary>Lowercase hex SHA-256 of the salt followed by the text.</summary>
    public string Sha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData([.. _salt, .. Encoding.UTF8.GetBytes(text)]));

    /// <summary>
    /// A token of the text's shape, keyed by the active key. An email (<c>local@domain</c>) becomes
    /// <c>&lt;16 hex&gt;@&lt;8 hex&gt;.invalid</c>: the part before @ depends on the whole address, the domain's
    /// token on the domain alone (so addresses of one domain still group together). Anything else keeps its length
    /// and shape: each digit becomes a digit, each letter a letter of the same case (other letters lowercase
    /// ASCII), other characters stay, so a phone number stays a phone number.
    /// </summary>
    public string Tokenize(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at > 0 && at < text.Length - 1 && text.IndexOf('@', at + 1) < 0)
        {
            var local = Convert.ToHexStringLower(KeyStream(text, 8));
            var domain = Convert.ToHexStringLower(KeyStream("@" + text[(at + 1)..].ToLowerInvariant(), 4));
            return $"{local}@{domain}{TokenDomain}";
        }

        var stream = KeyStream(text, text.Length);
        var token = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            token.Append(c switch
            {
                >= '0' and <= '9' => (char)('0' + ((c - '0' + stream[i]) % 10)),
                >= 'A' and <= 'Z' => Upper[stream[i] % 26],
                _ when char.IsLetter(c) => Lower[stream[i] % 26],
                _ => c,
            });
        }

        return token.ToString();
    }

    /// <summary><paramref name="length"/> bytes derived from the text under the tokenize key (masking.tokenizeKey, else the active key; HMAC-SHA256 in counter mode).</summary>
    private byte[] KeyStream(string text, int length)
    {
        var input = Encoding.UTF8.GetBytes("tokenize\0" + text);
        var block = new byte[4 + input.Length];
        input.CopyTo(block, 4);
        var stream = new byte[length];
        for (var (offset, counter) = (0, 0u); offset < length; offset += 32, counter++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(block, counter);
            var hash = TokenizeHmac(block);
            hash.AsSpan(0, Math.Min(32, length - offset)).CopyTo(stream.AsSpan(offset));
        }

        return stream;
    }

    private byte[] ActiveHmac(byte[] data)
    {
        var hmac = _activeHmac.Value!;
        hmac.AppendData(data);
        return hmac.GetHashAndReset();
    }

    private byte[] TokenizeHmac(byte[] data)
    {
        if (_tokenizeHmac is null)
        {
            return ActiveHmac(data);
        }

        var hmac = _tokenizeHmac.Value!;
        hmac.AppendData(data);
        return hmac.GetHashAndReset();
    }

    private byte[] ActiveKey() =>
        _activeKey ?? throw new InvalidOperationException("masking.activeKey names no configured key; hmac and tokenize need one.");

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
