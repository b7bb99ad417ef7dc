'use strict';
// The DataStax Node.js driver (cassandra-driver) as an independent reference for SentinelSync's CQL client.
//
// 1. Requests: a local TCP listener plays a Cassandra node (READY, AUTHENTICATE, SUPPORTED, PREPARED, VOID ...);
//    the driver's own Connection sends each request type over a real socket, and every frame it writes is captured.
// 2. Responses: RESULT, ERROR and EVENT frames are built with the driver's FrameWriter and Encoder, sent to the
//    driver, and what the driver decoded from them is recorded beside their bytes.
// 3. Tokens: the driver's Murmur3 tokenizer over a corpus of partition keys, and routing keys of compound partition
//    keys (routing.js).
//
// Usage: node reference.js OUTPUT.json      (the C# tests run it and compare byte for byte)

const net = require('net');
const fs = require('fs');
const cassandra = require('cassandra-driver');
const Connection = require('cassandra-driver/lib/connection');
const requests = require('cassandra-driver/lib/requests');
const clientOptions = require('cassandra-driver/lib/client-options');
const { DefaultExecutionOptions } = require('cassandra-driver/lib/execution-options');
const Encoder = require('cassandra-driver/lib/encoder');
const { Murmur3Tokenizer } = require('cassandra-driver/lib/tokenizer');
const { typeCases } = require('./type-cases');
const { frame, rowsFrame, preparedFrame, voidFrame } = require('./frames');
const { captureResponses } = require('./responses');
const { captureRoutingKeys } = require('./routing');

const types = cassandra.types;
const dataTypes = types.dataTypes;
const opcodes = types.opcodes;
const VERSION = 4;

const output = { requests: {}, responses: [], tokens: [], routing: [] };
let currentCase = null;
// What the fake node answers to the next PREPARE, QUERY or BATCH: a function (streamId) => Buffer.
let nextResponse = null;

// --- the fake node -------------------------------------------------------------------------------

function startFakeNode() {
  return new Promise(resolve => {
    const server = net.createServer(socket => {
      let pending = Buffer.alloc(0);
      let authenticate = false;
      socket.on('data', chunk => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 9) {
          const length = pending.readInt32BE(5);
          if (pending.length < 9 + length) {
            break;
          }
          const request = pending.subarray(0, 9 + length);
          pending = pending.subarray(9 + length);
          (output.requests[currentCase] = output.requests[currentCase] || []).push(request.toString('hex'));
          socket.write(answer(request, () => authenticate, value => { authenticate = value; }));
        }
      });
      socket.on('error', () => {});
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function answer(request, needsAuth, setNeedsAuth) {
  const streamId = request.readInt16BE(2);
  const opcode = request.readUInt8(4);
  if (nextResponse && (opcode === opcodes.query || opcode === opcodes.prepare || opcode === opcodes.execute || opcode === opcodes.batch)) {
    const respond = nextResponse;
    nextResponse = null;
    return respond(streamId);
  }
  switch (opcode) {
    case opcodes.startup:
      if (currentCase === 'startup-auth') {
        setNeedsAuth(true);
        return frame(opcodes.authenticate, streamId, fw => fw.writeString('org.apache.cassandra.auth.PasswordAuthenticator'));
      }
      return frame(opcodes.ready, streamId, () => {});
    case opcodes.authResponse:
      return frame(opcodes.authSuccess, streamId, fw => fw.writeBytes(null));
    case opcodes.options:
      return frame(opcodes.supported, streamId, fw => {
        fw.writeShort(2);
        fw.writeString('CQL_VERSION');
        fw.writeStringList(['3.4.5']);
        fw.writeString('PROTOCOL_VERSIONS');
        fw.writeStringList(['3/v3', '4/v4', '5/v5']);
      });
    case opcodes.register:
      return frame(opcodes.ready, streamId, () => {});
    default:
      return voidFrame(streamId);
  }
}

// --- driving the driver --------------------------------------------------------------------------

function options(extra) {
  return clientOptions.extend({
    contactPoints: ['127.0.0.1'],
    localDataCenter: 'dc1',
    policies: { timestampGeneration: null },
    pooling: { heartBeatInterval: 0 },
    encoding: { map: Map },
  }, extra || {});
}

function openConnection(endpoint, extra) {
  const connection = new Connection(endpoint, VERSION, options(extra));
  return new Promise((resolve, reject) => connection.open(err => (err ? reject(err) : resolve(connection))));
}

function send(connection, request, execOptions) {
  return new Promise(resolve => connection.sendStream(request, execOptions || null, (err, response) => resolve({ err, response })));
}

// Execution options as Client#execute builds them; a Client that never connects supplies the defaults.
const optionsClient = new cassandra.Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1', policies: { timestampGeneration: null } });
const executionOptions = queryOptions => DefaultExecutionOptions.create(queryOptions, optionsClient);

async function captureRequests(endpoint) {
  currentCase = 'startup';
  const connection = await openConnection(endpoint);

  currentCase = 'startup-auth';
  const authenticated = await openConnection(endpoint, { authProvider: new cassandra.auth.PlainTextAuthProvider('sentinel', 'p@ss wörd') });
  authenticated.close();

  currentCase = 'options';
  await send(connection, requests.options);

  currentCase = 'register';
  await send(connection, new requests.RegisterRequest(['TOPOLOGY_CHANGE', 'STATUS_CHANGE', 'SCHEMA_CHANGE']));

  currentCase = 'query-plain';
  await send(connection, new requests.QueryRequest('SELECT release_version FROM system.local', null,
    executionOptions({ consistency: types.consistencies.localOne })));

  currentCase = 'query-values-paging';
  await send(connection, new requests.QueryRequest('SELECT * FROM ks.t WHERE id = ? AND name = ?',
    [42, 'ünïcode'],
    executionOptions({ consistency: types.consistencies.localQuorum, hints: ['int', 'text'], fetchSize: 500,
      pageState: Buffer.from('0102030405ff', 'hex'), serialConsistency: types.consistencies.localSerial })));

  currentCase = 'query-null-unset';
  await send(connection, new requests.QueryRequest('INSERT INTO ks.t (id, a, b) VALUES (?, ?, ?) USING TIMESTAMP ?',
    [7, null, types.unset, types.Long.fromString('1700000000000000')],
    executionOptions({ consistency: types.consistencies.quorum, hints: ['int', 'text', 'text', 'bigint'] })));

  currentCase = 'prepare';
  nextResponse = preparedFrame(Buffer.from('cafebabe', 'hex'), [{ name: 'id', type: { code: dataTypes.int } }], [0]);
  await new Promise(resolve => connection.prepareOnce('SELECT * FROM ks.t WHERE id = ?', null, resolve));

  const encoder = new Encoder(VERSION, options());
  for (const typeCase of typeCases) {
    const columns = typeCase.values.map((_, i) => ({ name: 'v' + i, type: typeCase.type }));
    const id = Buffer.from(typeCase.name, 'utf8');
    currentCase = 'prepare-' + typeCase.name;
    nextResponse = preparedFrame(id, columns, [0]);
    const prepared = await new Promise((resolve, reject) => connection.prepareOnce('INSERT ' + typeCase.name, null,
      (err, response) => (err ? reject(err) : resolve(response))));

    currentCase = 'execute-' + typeCase.name;
    await send(connection, new requests.ExecuteRequest('INSERT ' + typeCase.name, prepared.id, typeCase.values,
      executionOptions({ consistency: types.consistencies.localQuorum, prepare: true }), prepared.meta));

    // The same values as a rows result the driver's Encoder wrote, and the driver's decoding of it.
    currentCase = 'rows-' + typeCase.name;
    const rows = rowsFrame(encoder, columns, [typeCase.values]);
    nextResponse = rows;
    const { err, response } = await send(connection, new requests.QueryRequest('SELECT ' + typeCase.name, null, executionOptions({})));
    if (err) {
      throw err;
    }
    output.responses.push({ name: 'rows-' + typeCase.name, hex: rows(0).toString('hex'), driver: { rowLength: response.rows.length, columns: response.meta.columns.length } });
  }

  currentCase = 'batch-unlogged';
  const batchPrepared = await new Promise(resolve => {
    nextResponse = preparedFrame(Buffer.from('b1', 'hex'), [{ name: 'id', type: { code: dataTypes.int } }, { name: 'v', type: { code: dataTypes.text } }], [0]);
    connection.prepareOnce('INSERT INTO ks.t (id, v) VALUES (?, ?) USING TIMESTAMP 1700000000000001', null, (err, r) => resolve(r));
  });
  output.requests['batch-unlogged'] = [];
  await send(connection, new requests.BatchRequest([
    { queryId: batchPrepared.id, meta: batchPrepared.meta, params: [1, 'one'] },
    { queryId: batchPrepared.id, meta: batchPrepared.meta, params: [1, null] },
    { query: 'DELETE FROM ks.t USING TIMESTAMP 1700000000000002 WHERE id = ?', params: [2] },
  ], executionOptions({ logged: false, consistency: types.consistencies.localQuorum, hints: [null, null, ['int']] })));

  currentCase = 'batch-serial';
  await send(connection, new requests.BatchRequest([
    { query: 'UPDATE ks.t SET v = ? WHERE id = ?', params: ['x', 3] },
  ], executionOptions({ logged: true, consistency: types.consistencies.quorum, serialConsistency: types.consistencies.serial, hints: [['text', 'int']] })));

  await captureResponses({ connection, encoder, send, executionOptions, output, respondWith: r => { nextResponse = r; }, setCase: c => { currentCase = c; } });
  connection.close();
}

async function main() {
  const server = await startFakeNode();
  const endpoint = '127.0.0.1:' + server.address().port;
  await captureRequests(endpoint);
  captureTokens();
  captureRoutingKeys(new Encoder(VERSION, options()), output);
  fs.writeFileSync(process.argv[2], JSON.stringify(output, null, 1));
  server.close();
  optionsClient.shutdown();
}

function captureTokens() {
  const tokenizer = new Murmur3Tokenizer();
  const keys = [];
  let seed = 12345;
  const random = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed >> 16 & 0xff; };
  for (let length = 0; length <= 48; length++) {
    keys.push(Buffer.from(Array.from({ length }, random)));
  }
  for (let i = 0; i < 64; i++) {
    keys.push(Buffer.from(Array.from({ length: 1 + (i * 7) % 40 }, () => 0x80 | random())));
  }
  [0, 1, -1, 42, 2147483647, -2147483648].forEach(n => { const b = Buffer.alloc(4); b.writeInt32BE(n); keys.push(b); });
  ['', 'a', 'hello', 'user:1234567890', 'ünïcode ✓'].forEach(s => keys.push(Buffer.from(s, 'utf8')));
  for (const key of keys) {
    output.tokens.push({ key: key.toString('hex'), token: tokenizer.hash(key).getValue().toString() });
  }
}

if (require.main === module) {
  main().then(() => process.exit(0), err => { console.error(err); process.exit(1); });
}
