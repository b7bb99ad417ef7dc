using System.Globalization;
using System.Numerics;

namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// A CQL decimal exactly: an arbitrary-precision unscaled integer and a scale, value = unscaled × 10^-scale.
/// .NET's decimal holds 28 digits; Postgres numeric holds up to 131,072 before the point, so neither is used here.
/// </summary>
public readonly record struct CqlDecimal(BigInteger Unscaled, int Scale)
{
    /// <summary>Parses plain or exponent notation (<c>-12.340</c>, <c>1e-7</c>) keeping every digit and trailing zero.</summary>
    public static CqlDecimal Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var exponent = 0;
        var mantissa = text.Trim();
        var e = mantissa.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exponent = int.Parse(mantissa[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = mantissa[..e];
        }

        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var scale = 0;
        if (point >= 0)
        {
            scale = mantissa.Length - point - 1;
            mantissa = mantissa.Remove(point, 1);
        }

        if (mantissa.Length == 0 || mantissa is "-" or "+" || !mantissa.TrimStart('-', '+').All(char.IsAsciiDigit))
        {
            throw new FormatException($"'{text}' is not a decimal number (NaN and infinities have no CQL decimal)");
        }

        return new CqlDecimal(BigInteger.Parse(mantissa, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), checked(scale - exponent));
    }

    /// <summary>Plain notation with exactly <see cref="Scale"/> fraction digits (negative scales as an exponent).</summary>
    public override string ToString()
    {
        if (Scale < 0)
        {
            return Unscaled.ToString(CultureInfo.InvariantCulture) + "E+" + (-Scale).ToString(CultureInfo.InvariantCulture);
        }

        var digits = BigInteger.Abs(Unscaled).ToString(CultureInfo.InvariantCulture).PadLeft(Scale + 1, '0');
        var text = Scale == 0 ? digits : digits[..^Scale] + "." + digits[^Scale..];
        return Unscaled.Sign < 0 ? "-" + text : text;
    }
}
