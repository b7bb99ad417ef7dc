namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// One ClickHouse column written for a source column. Most source columns have one part named like the
/// column; dates and timestamps have a second, exact part (<c>name__days</c>, <c>name__us</c>).
/// </summary>
/// <param name="Name">The ClickHouse column name.</param>
/// <param name="Type">The ClickHouse type, Nullable where the part can be NULL.</param>
/// <param name="Conversion">How the source text becomes this part's text.</param>
/// <param name="Element">For <see cref="ClickHouseConversion.Array"/>, the conversion of each element.</param>
/// <param name="IsKey">Part of the table's ORDER BY key (never Nullable).</param>
/// <param name="IsFallback">
/// The column's fallback (<c>name__text</c>, Nullable(String)): NULL while the other parts hold the value; the
/// exact Postgres text when they cannot (a multidimensional array, a NaN numeric), the other parts then NULL.
/// </param>
public sealed record ClickHouseColumnPart(string Name, string Type, ClickHouseConversion Conversion, ClickHouseConversion Element = ClickHouseConversion.Text, bool IsKey = false, bool IsFallback = false)
{
    /// <summary>Arrays are written in their own quoted syntax, which TabSeparated reads unescaped.</summary>
    public bool IsTsvEscaped => Conversion != ClickHouseConversion.Array;
}
