'use strict';
// Response frames (ERROR, EVENT and the RESULT kinds besides rows of each type) built with the driver's FrameWriter,
// sent to the driver's Connection, and what the driver decoded from each. The C# tests decode the same bytes and
// compare with the driver's reading.

const cassandra = require('cassandra-driver');
const requests = require('cassandra-driver/lib/requests');
const { frame, rowsFrame, preparedFrame, voidFrame } = require('./frames');

const types = cassandra.types;
const dataTypes = types.dataTypes;
const opcodes = types.opcodes;
const c = types.consistencies;

const errorCases = [
  { name: 'error-server', code: 0x0000, message: 'java.lang.NullPointerException', body: () => {} },
  { name: 'error-protocol', code: 0x000A, message: 'Invalid or unsupported protocol version (6)', body: () => {} },
  { name: 'error-bad-credentials', code: 0x0100, message: 'Provided username sentinel and/or password are incorrect', body: () => {} },
  { name: 'error-unavailable', code: 0x1000, message: 'Cannot achieve consistency level LOCAL_QUORUM', body: fw => { fw.writeShort(c.localQuorum); fw.writeInt(2); fw.writeInt(1); } },
  { name: 'error-overloaded', code: 0x1001, message: 'Server is overloaded', body: () => {} },
  { name: 'error-bootstrapping', code: 0x1002, message: 'Cannot read from a bootstrapping node', body: () => {} },
  { name: 'error-truncate', code: 0x1003, message: 'Truncate failed', body: () => {} },
  { name: 'error-write-timeout', code: 0x1100, message: 'Operation timed out - received only 1 responses.', body: fw => { fw.writeShort(c.localQuorum); fw.writeInt(1); fw.writeInt(2); fw.writeString('UNLOGGED_BATCH'); } },
  { name: 'error-read-timeout', code: 0x1200, message: 'Operation timed out - received only 0 responses.', body: fw => { fw.writeShort(c.quorum); fw.writeInt(0); fw.writeInt(2); fw.writeByte(1); } },
  { name: 'error-read-failure', code: 0x1300, message: 'Operation failed - received 1 responses and 1 failures', body: fw => { fw.writeShort(c.all); fw.writeInt(1); fw.writeInt(3); fw.writeInt(1); fw.writeByte(0); } },
  { name: 'error-function-failure', code: 0x1400, message: 'execution of ks.f failed', body: fw => { fw.writeString('ks'); fw.writeString('f'); fw.writeStringList(['int', 'text']); } },
  { name: 'error-write-failure', code: 0x1500, message: 'Operation failed - received 0 responses and 2 failures', body: fw => { fw.writeShort(c.each_quorum === undefined ? c.eachQuorum : c.each_quorum); fw.writeInt(0); fw.writeInt(3); fw.writeInt(2); fw.writeString('SIMPLE'); } },
  { name: 'error-syntax', code: 0x2000, message: "line 1:0 no viable alternative at input 'SELEC'", body: () => {} },
  { name: 'error-unauthorized', code: 0x2100, message: 'User sentinel has no MODIFY permission on <table ks.t>', body: () => {} },
  { name: 'error-invalid', code: 0x2200, message: 'Undefined column name nope', body: () => {} },
  { name: 'error-config', code: 0x2300, message: 'Cannot add a column to a compact table', body: () => {} },
  { name: 'error-already-exists', code: 0x2400, message: 'Cannot add already existing table "t" to keyspace "ks"', body: fw => { fw.writeString('ks'); fw.writeString('t'); } },
  { name: 'error-unprepared', code: 0x2500, message: 'Prepared query with ID deadbeef not found', body: fw => fw.writeShortBytes(Buffer.from('deadbeef00112233', 'hex')) },
];

const eventCases = [
  { name: 'event-topology-new', event: 'nodeTopologyChange', body: fw => { fw.writeString('TOPOLOGY_CHANGE'); fw.writeString('NEW_NODE'); inet(fw, [10, 0, 0, 5], 9042); } },
  { name: 'event-topology-removed', event: 'nodeTopologyChange', body: fw => { fw.writeString('TOPOLOGY_CHANGE'); fw.writeString('REMOVED_NODE'); inet(fw, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 9142); } },
  { name: 'event-status-down', event: 'nodeStatusChange', body: fw => { fw.writeString('STATUS_CHANGE'); fw.writeString('DOWN'); inet(fw, [192, 168, 1, 20], 9042); } },
  { name: 'event-status-up', event: 'nodeStatusChange', body: fw => { fw.writeString('STATUS_CHANGE'); fw.writeString('UP'); inet(fw, [192, 168, 1, 20], 9042); } },
  { name: 'event-schema-table', event: 'nodeSchemaChange', body: fw => { fw.writeString('SCHEMA_CHANGE'); fw.writeString('CREATED'); fw.writeString('TABLE'); fw.writeString('ks'); fw.writeString('orders'); } },
  { name: 'event-schema-keyspace', event: 'nodeSchemaChange', body: fw => { fw.writeString('SCHEMA_CHANGE'); fw.writeString('DROPPED'); fw.writeString('KEYSPACE'); fw.writeString('old_ks'); } },
  { name: 'event-schema-function', event: 'nodeSchemaChange', body: fw => { fw.writeString('SCHEMA_CHANGE'); fw.writeString('UPDATED'); fw.writeString('FUNCTION'); fw.writeString('ks'); fw.writeString('f'); fw.writeStringList(['int', 'frozen<list<text>>']); } },
];

function inet(fw, bytes, port) {
  fw.writeByte(bytes.length);
  fw.add(Buffer.from(bytes));
  fw.writeInt(port);
}

const plain = value => (value === undefined ? null : value);

async function captureResponses(ctx) {
  const { connection, encoder, send, executionOptions, output, respondWith, setCase } = ctx;
  const query = () => send(connection, new requests.QueryRequest('SELECT 1', null, executionOptions({})));

  for (const errorCase of errorCases) {
    const errorFrame = streamId => frame(opcodes.error, streamId, fw => { fw.writeInt(errorCase.code); fw.writeString(errorCase.message); errorCase.body(fw); });
    setCase(errorCase.name);
    respondWith(errorFrame);
    const { err } = await query();
    output.responses.push({
      name: errorCase.name,
      hex: errorFrame(0).toString('hex'),
      driver: {
        code: err.code, message: errorCase.message, consistency: plain(err.consistencies), required: plain(err.required),
        alive: plain(err.alive), received: plain(err.received), blockFor: plain(err.blockFor), writeType: plain(err.writeType),
        failures: plain(err.failures), dataPresent: err.isDataPresent === undefined ? null : !!err.isDataPresent,
        keyspace: plain(err.keyspace), table: plain(err.table), functionName: plain(err.functionName), argTypes: plain(err.argTypes),
        queryId: err.queryId ? err.queryId.toString('hex') : null,
      },
    });
  }

  for (const eventCase of eventCases) {
    const eventFrame = frame(opcodes.event, -1, eventCase.body);
    const seen = new Promise(resolve => connection.once(eventCase.event, resolve));
    setCase(eventCase.name);
    respondWith(streamId => Buffer.concat([eventFrame, voidFrame(streamId)]));
    await query();
    const event = await seen;
    output.responses.push({
      name: eventCase.name,
      hex: eventFrame.toString('hex'),
      driver: {
        eventType: event.eventType, added: plain(event.added), up: plain(event.up),
        address: event.inet ? event.inet.address.toString() : null, port: event.inet ? event.inet.port : null,
        change: plain(event.schemaChangeType), target: plain(event.target), keyspace: plain(event.keyspace),
        name: plain(event.table || event.udt || event.functionName || event.aggregate), argTypes: plain(event.signature),
      },
    });
  }

  // Other RESULT kinds.
  const resultCases = [
    { name: 'result-void', frame: voidFrame },
    { name: 'result-set-keyspace', frame: streamId => frame(opcodes.result, streamId, fw => { fw.writeInt(3); fw.writeString('sentinel_ks'); }) },
    { name: 'result-schema-change-table', frame: streamId => frame(opcodes.result, streamId, fw => { fw.writeInt(5); fw.writeString('CREATED'); fw.writeString('TABLE'); fw.writeString('ks'); fw.writeString('orders'); }) },
    { name: 'result-schema-change-type', frame: streamId => frame(opcodes.result, streamId, fw => { fw.writeInt(5); fw.writeString('UPDATED'); fw.writeString('TYPE'); fw.writeString('ks'); fw.writeString('address'); }) },
    {
      name: 'result-rows-paged',
      frame: rowsFrame(encoder, [{ name: 'id', type: { code: dataTypes.int } }, { name: 'name', type: { code: dataTypes.text } }],
        [[1, 'one'], [2, null], [3, 'three']], { perColumnSpec: true, pagingState: Buffer.from('00ff00ff0a', 'hex') }),
    },
    { name: 'result-rows-empty', frame: rowsFrame(encoder, [{ name: 'peer', type: { code: dataTypes.inet } }], []) },
    {
      name: 'result-prepared',
      prepare: true,
      frame: preparedFrame(Buffer.from('0123456789abcdef', 'hex'),
        [{ name: 'tenant', type: { code: dataTypes.text } }, { name: 'day', type: { code: dataTypes.date } }, { name: 'v', type: { code: dataTypes.map, info: [{ code: dataTypes.text }, { code: dataTypes.double }] } }],
        [1, 0]),
    },
  ];
  for (const resultCase of resultCases) {
    setCase(resultCase.name);
    respondWith(resultCase.frame);
    let err, response;
    if (resultCase.prepare) {
      ({ err, response } = await new Promise(resolve => connection.prepareOnce('PREPARE ' + resultCase.name, null, (e, r) => resolve({ err: e, response: r }))));
    } else {
      ({ err, response } = await query());
    }
    if (err) {
      throw err;
    }
    output.responses.push({ name: resultCase.name, hex: resultCase.frame(0).toString('hex'), driver: describeResult(response) });
  }
}

function describeResult(response) {
  const meta = response.meta;
  return {
    keyspaceSet: plain(response.keyspaceSet),
    schemaChange: response.schemaChange ? { change: response.schemaChange.schemaChangeType, target: response.schemaChange.target, keyspace: response.schemaChange.keyspace, name: plain(response.schemaChange.table || response.schemaChange.udt) } : null,
    preparedId: response.id ? response.id.toString('hex') : null,
    pageState: meta && meta.pageState ? meta.pageState.toString('hex') : null,
    partitionKeys: meta && meta.partitionKeys ? meta.partitionKeys : null,
    columns: meta && meta.columns ? meta.columns.map(col => ({ keyspace: col.ksname || meta.global_ksname || null, table: col.tablename || meta.global_tablename || null, name: col.name, code: col.type.code })) : null,
    rows: response.rows ? response.rows.map(row => row.values().map(v => (v === null ? null : v.toString()))) : null,
  };
}

module.exports = { captureResponses };
