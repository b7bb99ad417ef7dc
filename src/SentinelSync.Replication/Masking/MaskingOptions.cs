using System.Text.RegularExpressions;

namespace SentinelSync.Replication.Masking;

/// <summary>
/// The secrets behind masking (config section <c>masking</c>, shared by every sink so that masked values join
/// across tables, sinks and pipelines): the salt of <c>sha256</c>, and the keys of <c>hmac</c> and <c>tokenize</c>,
/// of which <see cref="ActiveKey"/> masks new values while the others stay known, so values masked under them
/// can still be verified.
/// </summary>
public sealed partial class MaskingOptions
{
    public const string SectionName = "masking";

    /// <summary>Shortest salt and key accepted, in characters: a short secret can be guessed by brute force.</summary>
    public const int MinimumSecretLength = 16;

    public string? Salt { get; set; }

    public List<MaskingKey> Keys { get; set; } = [];

    public string? ActiveKey { get; set; }

    /// <summary>
    /// The key <c>tokenize</c> uses, when it is not <see cref="ActiveKey"/>. Tokens keep the value's format, so they
    /// cannot carry a key id as HMAC values do: pinning their key lets <see cref="ActiveKey"/> rotate (for hmac) while
    /// tokens stay the same and keep joining; rotating this one is a deliberate step that needs a resync of the tables
    /// that tokenize.
    /// </summary>
    public string? TokenizeKey { get; set; }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyId();

    /// <summary>
    /// One problem per mistake, each naming its key; <paramref name="used"/> are the functions some sink uses
    /// with the configuration key of one such use (a salt or key is only required when something needs it).
    /// </summary>
    public IReadOnlyList<OptionProblem> Validate(IReadOnlyDictionary<MaskFunction, string> used, string section = SectionName)
    {
        var problems = new List<OptionProblem>();
        if (used.TryGetValue(MaskFunction.Sha256, out var sha) && string.IsNullOrEmpty(Salt))
        {
            problems.Add(new OptionProblem($"{section}.salt", $"is required: {sha} masks with sha256, a salted hash (e.g. salt: \"${{file:/run/secrets/mask_salt}}\")"));
        }
        else if (Salt is { Length: > 0 and < MinimumSecretLength })
        {
            problems.Add(new OptionProblem($"{section}.salt", $"is {Salt.Length} characters long; use at least {MinimumSecretLength} (e.g. openssl rand -base64 32)"));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Keys.Count; i++)
        {
            var key = Keys[i];
            if (!KeyId().IsMatch(key.Id))
            {
                problems.Add(new OptionProblem($"{section}.keys[{i}].id", "is required: 1 to 32 letters, digits, '_' or '-' (it is stored in front of every HMAC value)"));
            }
            else if (!ids.Add(key.Id))
            {
                problems.Add(new OptionProblem($"{section}.keys[{i}].id", $"'{key.Id}' names two keys"));
            }

            if (key.Key.Length < MinimumSecretLength)
            {
                problems.Add(new OptionProblem($"{section}.keys[{i}].key", $"must be at least {MinimumSecretLength} characters long (e.g. openssl rand -base64 32 into a file, then key: \"${{file:/run/secrets/mask_key}}\")"));
            }
        }

        var keyed = used.Where(u => u.Key is MaskFunction.Hmac or MaskFunction.Tokenize).Select(u => u.Value).FirstOrDefault();
        if (string.IsNullOrEmpty(ActiveKey))
        {
            if (keyed is not null)
            {
                problems.Add(new OptionProblem($"{section}.activeKey", $"is required: {keyed} masks with a keyed function (hmac or tokenize); name one of {section}.keys"));
            }
        }
        else if (!ids.Contains(ActiveKey))
        {
            problems.Add(new OptionProblem($"{section}.activeKey", $"'{ActiveKey}' is not the id of any of {section}.keys ({(ids.Count == 0 ? "none is configured" : string.Join(", ", ids))})"));
        }

        if (TokenizeKey is not null && !ids.Contains(TokenizeKey))
        {
            problems.Add(new OptionProblem($"{section}.tokenizeKey", $"'{TokenizeKey}' is not the id of any of {section}.keys ({(ids.Count == 0 ? "none is configured" : string.Join(", ", ids))})"));
        }

        return problems;
    }
}
