'use strict';
// Routing keys of compound partition keys as the driver composes them (Encoder#setRoutingKeyFromMeta: each component
// as [short length][bytes][0], a single component as its bytes), with the driver's Murmur3 token of each.

const cassandra = require('cassandra-driver');
const { Murmur3Tokenizer } = require('cassandra-driver/lib/tokenizer');

const dataTypes = cassandra.types.dataTypes;
const Long = cassandra.types.Long;

// A table orders(customer_id int, order_id bigint, region text, amount decimal) bound in that order; the cases differ
// in which columns form the partition key, in partition-key order (what a PREPARED result's pk indexes say).
const columns = [
  { name: 'customer_id', type: { code: dataTypes.int } },
  { name: 'order_id', type: { code: dataTypes.bigint } },
  { name: 'region', type: { code: dataTypes.text } },
];
const rows = [
  [42, Long.fromString('7'), 'eu-west'],
  [42, Long.fromString('8'), 'eu-west'],
  [-1, Long.fromString('-9223372036854775808'), 'ünïcode ✓'],
];
const splits = { 'region,customer_id': [2, 0], 'customer_id': [0], 'customer_id,order_id,region': [0, 1, 2] };

function captureRoutingKeys(encoder, output) {
  const tokenizer = new Murmur3Tokenizer();
  for (const [name, indexes] of Object.entries(splits)) {
    rows.forEach((row, r) => {
      let routingKey = null;
      const execOptions = { getRoutingIndexes: () => indexes, setRoutingKey: key => { routingKey = key; } };
      encoder.setRoutingKeyFromMeta({ columns }, row, execOptions);
      output.routing.push({ partitionKey: name, row: r, key: routingKey.toString('hex'), token: tokenizer.hash(routingKey).getValue().toString() });
    });
  }
}

module.exports = { captureRoutingKeys };
