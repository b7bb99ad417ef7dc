using System.Security.Cryptography;
using System.Text;
using SentinelSync.Replication.Masking;

namespace SentinelSync.Tests.Masking;

public sealed class MaskerTests
{
    private const string Key2024 = "key-2024-0123456789abcdef";
    private const string Key2025 = "key-2025-fedcba9876543210";

    internal static MaskingOptions Options(string active = "k2024", string salt = "salt-0123456789abcdef") => new()
    {
        Salt = salt,
        Keys = [new MaskingKey { Id = "k2024", Key = Key2024 }, new MaskingKey { Id = "k2025", Key = Key2025 }],
        ActiveKey = active,
    };

    [Fact]
    public void Hmac_is_the_HMAC_SHA256_under_the_active_key_with_its_id_in_front()
    {
        var masked = new Masker(Options()).Hmac("alice@example.com");

        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key2024), Encoding.UTF8.GetBytes("alice@example.com")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        masked.ShouldBe("k2024:" + expected);
    }

    [Fact]
    public void Every_function_is_deterministic_across_instances_and_differs_between_inputs()
    {
        foreach (var function in new[] { MaskFunction.Hmac, MaskFunction.Sha256, MaskFunction.Tokenize })
        {
            var first = new Masker(Options()).Mask(function, "alice@example.com");
            new Masker(Options()).Mask(function, "alice@example.com").ShouldBe(first, $"{function} must join across tables and sinks");
            new Masker(Options()).Mask(function, "bob@example.com").ShouldNotBe(first, $"{function} of another value");
            first.ShouldNotContain("alice");
        }
    }

    [Fact]
    public void After_a_rotation_new_values_carry_the_new_key_id_and_old_values_stay_verifiable()
    {
        var before = new Masker(Options(active: "k2024")).Hmac("555-0100");
        var rotated = new Masker(Options(active: "k2025"));
        var after = rotated.Hmac("555-0100");

        before.ShouldStartWith("k2024:");
        after.ShouldStartWith("k2025:");
        after.ShouldNotBe(before);
        rotated.VerifyHmac(before, "555-0100").ShouldBeTrue("the old key is still configured");
        rotated.VerifyHmac(after, "555-0100").ShouldBeTrue();
        rotated.VerifyHmac(before, "555-0101").ShouldBeFalse();
        rotated.VerifyHmac("k1999:" + before[6..], "555-0100").ShouldBeFalse("an unknown key id verifies nothing");

        var retired = new Masker(new MaskingOptions { Keys = [new MaskingKey { Id = "k2025", Key = Key2025 }], ActiveKey = "k2025" });
        retired.VerifyHmac(before, "555-0100").ShouldBeFalse("a removed key verifies nothing");
    }

    [Fact]
    public void A_pinned_tokenize_key_keeps_tokens_through_a_rotation_of_the_active_key_and_an_unpinned_one_does_not()
    {
        static MaskingOptions Pinned(string active)
        {
            var options = Options(active);
            options.TokenizeKey = "k2024";
            return options;
        }

        var before = new Masker(Pinned("k2024"));
        var after = new Masker(Pinned("k2025"));
        after.Tokenize("alice@example.com").ShouldBe(before.Tokenize("alice@example.com"), "tokens keep joining across the rotation");
        after.Tokenize("+1 (555) 010-0199").ShouldBe(before.Tokenize("+1 (555) 010-0199"));
        after.Hmac("alice@example.com").ShouldStartWith("k2025:", Case.Sensitive, "hmac rotates as before");
        new Masker(Options("k2025")).Tokenize("alice@example.com").ShouldNotBe(before.Tokenize("alice@example.com"), "unpinned, tokens follow the active key");
    }

    [Fact]
    public void A_tokenize_key_that_names_no_key_is_refused_with_its_key()
    {
        var options = Options();
        options.TokenizeKey = "k1999";
        var problem = options.Validate(new Dictionary<MaskFunction, string> { [MaskFunction.Tokenize] = "sinks[0].transforms[0]" }).ShouldHaveSingleItem();
        problem.Key.ShouldBe("masking.tokenizeKey");
        problem.ToString().ShouldContain("'k1999' is not the id of any of masking.keys (k2024, k2025)");
    }

    [Fact]
    public void Sha256_is_salted()
    {
        var salted = new Masker(Options()).Sha256("123-45-6789");

        salted.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("salt-0123456789abcdef123-45-6789"))));
        salted.ShouldNotBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("123-45-6789"))), "an unsalted hash of a short value is found by brute force");
        new Masker(Options(salt: "another-salt-0123456")).Sha256("123-45-6789").ShouldNotBe(salted);
    }

    [Fact]
    public void Redact_is_one_constant()
    {
        var masker = new Masker(Options());
        masker.Mask(MaskFunction.Redact, "+1 555 0100").ShouldBe(Masker.Redacted);
        masker.Mask(MaskFunction.Redact, "anything else").ShouldBe(Masker.Redacted);
    }

    [Fact]
    public void Tokenized_emails_stay_undeliverable_emails_and_one_domain_keeps_one_token()
    {
        var masker = new Masker(Options());

        var alice = masker.Tokenize("alice@example.com");
        var bob = masker.Tokenize("bob@Example.com");
        var carol = masker.Tokenize("carol@other.org");

        alice.ShouldMatch("^[0-9a-f]{16}@[0-9a-f]{8}\\.invalid$");
        alice.Split('@')[1].ShouldBe(bob.Split('@')[1], "one domain, one token (case-insensitive)");
        alice.Split('@')[1].ShouldNotBe(carol.Split('@')[1]);
        alice.Split('@')[0].ShouldNotBe(bob.Split('@')[0]);
        new Masker(Options(active: "k2025")).Tokenize("alice@example.com").ShouldNotBe(alice, "tokens are keyed");
    }

    [Theory]
    [InlineData("4111111111111111")]
    [InlineData("+1 (555) 010-0199")]
    [InlineData("0042")]
    public void Tokenized_numbers_keep_their_length_and_every_digit_stays_a_digit(string number)
    {
        var token = new Masker(Options()).Tokenize(number);

        token.Length.ShouldBe(number.Length);
        token.ShouldNotBe(number);
        for (var i = 0; i < number.Length; i++)
        {
            char.IsAsciiDigit(token[i]).ShouldBe(char.IsAsciiDigit(number[i]), $"position {i} of {token}");
            if (!char.IsAsciiDigit(number[i]))
            {
                token[i].ShouldBe(number[i], "separators stay");
            }
        }
    }

    [Fact]
    public void Tokenized_text_keeps_its_shape_and_hides_non_ASCII_letters()
    {
        var token = new Masker(Options()).Tokenize("José Ab-12");

        token.Length.ShouldBe(10);
        token.ShouldMatch("^[A-Z][a-z]{3} [A-Z][a-z]-[0-9]{2}$");
        token.ShouldNotContain("é");
    }

    [Fact]
    public void A_long_value_is_tokenized_past_one_hash_block()
    {
        var text = new string('7', 100);

        var token = new Masker(Options()).Tokenize(text);

        token.Length.ShouldBe(100);
        token.All(char.IsAsciiDigit).ShouldBeTrue();
        token[64..].ShouldNotBe(new string('7', 36), "the digits past 32 bytes of key stream are masked too");
    }
}
