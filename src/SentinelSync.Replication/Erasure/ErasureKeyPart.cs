namespace SentinelSync.Replication.Erasure;

/// <summary>One part of the key an erasure names: a key column and its value in Postgres' text form; a null column stands for the only key column.</summary>
public sealed record ErasureKeyPart(string? Column, string Value);
