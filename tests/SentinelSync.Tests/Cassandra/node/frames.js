'use strict';
// Response frames built with the driver's own FrameWriter (and values with its Encoder), as a node would send them.

const cassandra = require('cassandra-driver');
const { FrameWriter } = require('cassandra-driver/lib/writers');

const dataTypes = cassandra.types.dataTypes;
const opcodes = cassandra.types.opcodes;
const RESPONSE_VERSION = 0x80 | 4;

function writeType(fw, type) {
  fw.writeShort(type.code);
  switch (type.code) {
    case dataTypes.list:
    case dataTypes.set:
      writeType(fw, type.info);
      break;
    case dataTypes.map:
      writeType(fw, type.info[0]);
      writeType(fw, type.info[1]);
      break;
    case dataTypes.udt:
      fw.writeString(type.info.keyspace);
      fw.writeString(type.info.name);
      fw.writeShort(type.info.fields.length);
      for (const field of type.info.fields) {
        fw.writeString(field.name);
        writeType(fw, field.type);
      }
      break;
    case dataTypes.tuple:
      fw.writeShort(type.info.length);
      type.info.forEach(t => writeType(fw, t));
      break;
    default:
      break;
  }
}

function frame(opcode, streamId, body, flags) {
  // FrameWriter refuses a falsy opcode, and ERROR is 0x00: construct, then set the real opcode.
  const fw = new FrameWriter(opcode || 0xff);
  fw.opcode = opcode;
  body(fw);
  return fw.write(RESPONSE_VERSION, streamId, flags || 0);
}

// RESULT Prepared (v4): id, bind metadata (global table spec, partition key indexes), result metadata (none).
function preparedFrame(id, columns, pkIndexes) {
  return streamId => frame(opcodes.result, streamId, fw => {
    fw.writeInt(4);
    fw.writeShortBytes(id);
    fw.writeInt(0x0001);
    fw.writeInt(columns.length);
    fw.writeInt(pkIndexes.length);
    pkIndexes.forEach(i => fw.writeShort(i));
    fw.writeString('ks');
    fw.writeString('tbl');
    for (const column of columns) {
      fw.writeString(column.name);
      writeType(fw, column.type);
    }
    fw.writeInt(0x0004);
    fw.writeInt(0);
  });
}

// RESULT Rows: per-column table spec (no global flag) when asked, values by the driver's Encoder.
function rowsFrame(encoder, columns, rows, options) {
  return streamId => frame(opcodes.result, streamId, fw => {
    fw.writeInt(2);
    const global = !options || !options.perColumnSpec;
    fw.writeInt((global ? 0x0001 : 0) | (options && options.pagingState ? 0x0002 : 0));
    fw.writeInt(columns.length);
    if (options && options.pagingState) {
      fw.writeBytes(options.pagingState);
    }
    if (global) {
      fw.writeString('ks');
      fw.writeString('tbl');
    }
    for (const column of columns) {
      if (!global) {
        fw.writeString('ks_' + column.name);
        fw.writeString('tbl_' + column.name);
      }
      fw.writeString(column.name);
      writeType(fw, column.type);
    }
    fw.writeInt(rows.length);
    for (const row of rows) {
      row.forEach((value, i) => fw.writeBytes(encoder.encode(value, columns[i].type)));
    }
  });
}

const voidFrame = streamId => frame(opcodes.result, streamId, fw => fw.writeInt(1));

module.exports = { frame, rowsFrame, preparedFrame, voidFrame, writeType };
