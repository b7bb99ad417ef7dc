'use strict';
// One case per CQL type: the type as the driver describes it and the values bound to it. The C# tests hold the same
// values as .NET literals (CqlReferenceCases.cs); a value changed on one side only makes the byte comparison fail.

const { types } = require('cassandra-driver');

const dataTypes = types.dataTypes;
const Long = types.Long;
const t = code => ({ code });

const address = {
  code: dataTypes.udt,
  info: {
    keyspace: 'ks',
    name: 'address',
    fields: [
      { name: 'street', type: t(dataTypes.text) },
      { name: 'zip', type: t(dataTypes.int) },
      { name: 'tags', type: { code: dataTypes.list, info: t(dataTypes.text) } },
    ],
  },
};

const typeCases = [
  { name: 'ascii', type: t(dataTypes.ascii), values: ['hello', '', '~!'] },
  { name: 'bigint', type: t(dataTypes.bigint), values: [Long.fromString('-9223372036854775808'), Long.fromString('9223372036854775807'), Long.fromNumber(0), Long.fromNumber(-1)] },
  { name: 'blob', type: t(dataTypes.blob), values: [Buffer.from('00ff10807f', 'hex'), Buffer.alloc(0)] },
  { name: 'boolean', type: t(dataTypes.boolean), values: [true, false] },
  { name: 'counter', type: t(dataTypes.counter), values: [Long.fromNumber(123456789012)] },
  { name: 'decimal', type: t(dataTypes.decimal), values: ['-12345678901234567890.0123456789', '0', '0.001', '100', '123.4500', '-1', '-128', '255'].map(s => types.BigDecimal.fromString(s)) },
  { name: 'double', type: t(dataTypes.double), values: [3.141592653589793, -0.5, 1e308, -Infinity, 0, NaN] },
  { name: 'float', type: t(dataTypes.float), values: [1.5, -3.25, 3.4028234663852886e38, Infinity, NaN] },
  { name: 'int', type: t(dataTypes.int), values: [-2147483648, 0, 2147483647, 42] },
  { name: 'timestamp', type: t(dataTypes.timestamp), values: [new Date(Date.UTC(2024, 1, 29, 13, 45, 30, 123)), new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999)), new Date(0)] },
  { name: 'uuid', type: t(dataTypes.uuid), values: [types.Uuid.fromString('550e8400-e29b-41d4-a716-446655440000'), types.Uuid.fromString('00000000-0000-0000-0000-000000000000')] },
  { name: 'varchar', type: t(dataTypes.varchar), values: ['héllo wörld ✓ 𝄞', '', 'quote \' "double"'] },
  { name: 'varint', type: t(dataTypes.varint), values: ['-123456789012345678901234567890', '0', '127', '128', '-128', '-129', '255', '-1', '32768'].map(s => types.Integer.fromString(s)) },
  { name: 'timeuuid', type: t(dataTypes.timeuuid), values: [types.TimeUuid.fromString('d0b1c8e0-7f26-11ee-b962-0242ac120002')] },
  { name: 'inet', type: t(dataTypes.inet), values: ['192.168.0.1', '::1', '2001:db8::ff00:42:8329', '0.0.0.0'].map(s => types.InetAddress.fromString(s)) },
  { name: 'date', type: t(dataTypes.date), values: ['2024-02-29', '1969-12-31', '1970-01-01', '0001-01-01', '9999-12-31'].map(s => types.LocalDate.fromString(s)) },
  { name: 'time', type: t(dataTypes.time), values: ['13:45:30.123456789', '00:00:00', '23:59:59.999999999'].map(s => types.LocalTime.fromString(s)) },
  { name: 'smallint', type: t(dataTypes.smallint), values: [-32768, 32767, 0] },
  { name: 'tinyint', type: t(dataTypes.tinyint), values: [-128, 127, 0] },
  { name: 'duration', type: t(dataTypes.duration), values: [new types.Duration(1, 2, Long.fromNumber(3000000000)), new types.Duration(-1, -2, Long.fromNumber(-3)), new types.Duration(0, 0, Long.fromString('9223372036854775807')), new types.Duration(14, 0, Long.fromNumber(0))] },
  { name: 'list_int', type: { code: dataTypes.list, info: t(dataTypes.int) }, values: [[1, 2, 3], [-7]] },
  // The driver sends an empty list as null (-1); this client sends an empty collection (count 0), as the Java driver
  // does. Cassandra stores neither for a non-frozen column; the C# test states the difference.
  { name: 'list_empty', type: { code: dataTypes.list, info: t(dataTypes.int) }, values: [[]] },
  { name: 'set_text', type: { code: dataTypes.set, info: t(dataTypes.text) }, values: [['a', 'b', 'ç']] },
  { name: 'map_text_bigint', type: { code: dataTypes.map, info: [t(dataTypes.text), t(dataTypes.bigint)] }, values: [{ one: Long.fromNumber(1), two: Long.fromNumber(-2) }, {}] },
  { name: 'map_int_list_text', type: { code: dataTypes.map, info: [t(dataTypes.int), { code: dataTypes.list, info: t(dataTypes.text) }] }, values: [new Map([[1, ['x', 'y']], [2, ['z']]])] },
  { name: 'udt_address', type: address, values: [{ street: 'Main St', zip: 12345, tags: ['home'] }, { street: 'Side', zip: null, tags: null }] },
  { name: 'tuple_int_text_boolean', type: { code: dataTypes.tuple, info: [t(dataTypes.int), t(dataTypes.text), t(dataTypes.boolean)] }, values: [new types.Tuple(1, 'x', true), new types.Tuple(null, 'y', false)] },
];

module.exports = { typeCases };
