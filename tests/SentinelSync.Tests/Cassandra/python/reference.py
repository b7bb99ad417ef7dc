"""The DataStax Python driver (python3-cassandra 3.25, a Debian package) as an independent reference for what
SentinelSync's CQL client does that the Node.js driver cannot show: protocol v5 (its envelopes, and the segments with
their CRC24 header and CRC32 trailer that carry them after STARTUP) and LZ4 compression (v4 frame bodies, v5
segments), using the driver's own ProtocolHandler, SegmentCodec and compressors (python3-lz4).

Usage:
  python3 reference.py OUTPUT.json      writes what the driver encodes (the C# tests compare byte for byte)
  python3 reference.py decode           reads [{"kind", "hex"}] as JSON on stdin, writes what the driver decodes
"""
import io
import json
import sys

from cassandra import ConsistencyLevel, ProtocolVersion, WriteType
from cassandra.connection import lz4_compress, lz4_decompress, segment_codec_lz4, segment_codec_no_compression
from cassandra.protocol import (BatchMessage, ExecuteMessage, OptionsMessage, PrepareMessage, ProtocolHandler,
                                QueryMessage, RegisterMessage, StartupMessage, _UNSET_VALUE)
from cassandra.query import BatchType
from cassandra.segment import CRC32_INITIAL, compute_crc24, compute_crc32

V5 = ProtocolVersion.V5
V4 = ProtocolVersion.V4


def frame(message, version=V5, compressor=None):
    return ProtocolHandler.encode_message(message, 0, version, compressor, False)


def int_value(n):
    return n.to_bytes(4, 'big', signed=True)


def text_value(s):
    return s.encode('utf-8')


def bigint_value(n):
    return n.to_bytes(8, 'big', signed=True)


def with_values(message, values):
    message.query_params = values
    return message


def messages():
    """The same calls as CqlV5ReferenceTests makes with our client."""
    startup = StartupMessage('3.0.0', {'DRIVER_NAME': 'SentinelSync', 'DRIVER_VERSION': '1.0.0', 'COMPRESSION': 'lz4'})
    return {
        'options': OptionsMessage(),
        'startup': startup,
        'register': RegisterMessage(['TOPOLOGY_CHANGE', 'STATUS_CHANGE']),
        'query-values-paging': with_values(QueryMessage('SELECT * FROM ks.t WHERE id = ? AND name = ?', ConsistencyLevel.LOCAL_QUORUM,
                                            serial_consistency_level=ConsistencyLevel.LOCAL_SERIAL, fetch_size=500,
                                            paging_state=bytes.fromhex('0102030405ff')), [int_value(42), text_value('ünïcode')]),
        'query-null-unset': with_values(QueryMessage('INSERT INTO ks.t (id, a, b) VALUES (?, ?, ?) USING TIMESTAMP ?', ConsistencyLevel.QUORUM),
                                        [int_value(7), None, _UNSET_VALUE, bigint_value(1700000000000000)]),
        'prepare': PrepareMessage('SELECT * FROM ks.t WHERE id = ?'),
        'execute': ExecuteMessage(bytes.fromhex('cafebabe'), [int_value(1), text_value('one')], ConsistencyLevel.LOCAL_QUORUM,
                                  result_metadata_id=bytes.fromhex('0badf00d')),
        'batch-unlogged': BatchMessage(BatchType.UNLOGGED, [
            (True, bytes.fromhex('b1'), [int_value(1), text_value('one')]),
            (True, bytes.fromhex('b1'), [int_value(1), None]),
            (False, 'DELETE FROM ks.t USING TIMESTAMP 1700000000000002 WHERE id = ?', [int_value(2)]),
        ], ConsistencyLevel.LOCAL_QUORUM),
        'batch-serial': BatchMessage(BatchType.LOGGED, [(False, 'UPDATE ks.t SET v = ? WHERE id = ?', [text_value('x'), int_value(3)])],
                                     ConsistencyLevel.QUORUM, serial_consistency_level=ConsistencyLevel.SERIAL),
    }


def payload(name):
    """Deterministic payloads: compressible text, bytes that do not compress, one past a segment's maximum."""
    if name == 'empty':
        return b''
    if name == 'compressible':
        return b''.join(b'INSERT INTO shop.orders (id, note) VALUES (%d, \'the same words again\');' % i for i in range(300))
    if name == 'incompressible':
        seed, out = 7, bytearray()
        for _ in range(5000):
            seed = (seed * 1103515245 + 12345) & 0x7fffffff
            out.append((seed >> 16) & 0xff)
        return bytes(out)
    if name == 'two-segments':
        return bytes((i * 31) % 251 for i in range(131071 + 1000))
    raise KeyError(name)


def segments(codec, data):
    buffer = io.BytesIO()
    codec.encode(buffer, data)
    return buffer.getvalue().hex()


def encode(output_path):
    out = {'v5': {}, 'v4lz4': {}, 'segments': {}, 'lz4segments': {}, 'crc24': [], 'crc32': []}
    for name, message in messages().items():
        envelope = frame(message)
        out['v5'][name] = {'frame': envelope.hex(), 'segments': segments(segment_codec_no_compression, envelope)}
        if name != 'startup':
            out['v4lz4'][name] = frame(message, V4, lz4_compress).hex()
    for name in ('empty', 'compressible', 'incompressible', 'two-segments'):
        out['segments'][name] = segments(segment_codec_no_compression, payload(name))
        out['lz4segments'][name] = segments(segment_codec_lz4, payload(name))
    for value, length in ((0, 3), (1, 3), (0x1ffff, 3), (0x3ffff, 3), (0x20000 | 1234, 3), (0xffffff, 3),
                          (0, 5), (0x400000000 | (5000 << 17) | 77, 5), (0xffffffffff, 5)):
        out['crc24'].append({'value': value, 'length': length, 'crc': compute_crc24(value, length)})
    for data in (b'', b'\x00', b'\x00\x00\x00\x00', b'123456789', payload('compressible')[:1000]):
        out['crc32'].append({'hex': data.hex(), 'crc': compute_crc32(data, CRC32_INITIAL)})
    with open(output_path, 'w') as f:
        json.dump(out, f)


def decode_segments(codec, data):
    buffer = io.BytesIO(data)
    payloads, flags = [], []
    while buffer.tell() < len(data):
        header = codec.decode_header(buffer)
        segment = codec.decode(buffer, header)
        payloads.append(segment.payload)
        flags.append(segment.is_self_contained)
    return {'payload': b''.join(payloads).hex(), 'selfContained': flags}


def decode_response(data):
    """A v5 response frame (9-byte header, body) as the driver's ProtocolHandler decodes it."""
    version, flags, stream, opcode = data[0], data[1], int.from_bytes(data[2:4], 'big', signed=True), data[4]
    message = ProtocolHandler.decode_message(version & 0x7f, {}, stream, flags, opcode, data[9:], None, None)
    out = {'type': type(message).__name__}
    if hasattr(message, 'kind'):
        out['kind'] = message.kind
        for field in ('query_id', 'result_metadata_id', 'paging_state'):
            value = getattr(message, field, None)
            out[field] = value.hex() if value is not None else None
        out['pk_indexes'] = list(getattr(message, 'pk_indexes', None) or [])
        out['bind'] = [c[2] for c in (getattr(message, 'bind_metadata', None) or [])]
        out['columns'] = [c[2] for c in (getattr(message, 'column_metadata', None) or [])]
        out['rows'] = [[repr(v) for v in row] for row in (getattr(message, 'parsed_rows', None) or [])]
    else:
        out['code'] = message.error_code
        out['message'] = message.message
        info = dict(message.info or {})
        if 'write_type' in info:
            info['write_type'] = WriteType.value_to_name[info['write_type']]
        if info.get('error_code_map') is not None:
            info['error_code_map'] = {str(k): v for k, v in info['error_code_map'].items()}
        out['info'] = info
    return out


def decode(requests):
    results = []
    for request in requests:
        data = bytes.fromhex(request['hex'])
        kind = request['kind']
        if kind == 'segments':
            results.append(decode_segments(segment_codec_no_compression, data))
        elif kind == 'lz4segments':
            results.append(decode_segments(segment_codec_lz4, data))
        elif kind == 'v4lz4body':
            results.append({'payload': lz4_decompress(data).hex()})
        elif kind == 'v5response':
            results.append(decode_response(data))
        else:
            raise ValueError('unknown kind ' + kind)
    return results


if __name__ == '__main__':
    if sys.argv[1] == 'decode':
        json.dump(decode(json.load(sys.stdin)), sys.stdout)
    else:
        encode(sys.argv[1])
