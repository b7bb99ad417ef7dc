namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>Debezium's <c>io.debezium.data.VariableScaleDecimal</c> value: a scale and the unscaled value as big-endian two's-complement bytes.</summary>
public sealed record VariableScaleDecimal(int Scale, byte[] Unscaled);
