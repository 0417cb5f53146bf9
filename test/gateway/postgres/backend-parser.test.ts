import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendMessage } from '../../../src/gateway/postgres/backend-messages.js';
import { BackendParser } from '../../../src/gateway/postgres/backend-parser.js';
import { build } from './buffer-builder.js';

const MESSAGES: Buffer[] = [
  build().int32(0).join('R'),
  build().cstring('server_version').cstring('17.2').join('S'),
  build().int32(4242).int32(-559038737).join('K'),
  build().add([0x49]).join('Z'),
  build().join('1'),
  build().join('2'),
  build().int16(1).int32(4).int16(-1).join('D'),
  build().cstring('SELECT 1').join('C'),
  build()
    .add([0x53])
    .cstring('ERROR')
    .add([0x43])
    .cstring('42P01')
    .add([0x4d])
    .cstring('no table')
    .add([0])
    .join('E'),
  build().join('s'),
  build().add([0]).int16(0).join('G'),
  build().add([0x45]).join('Z'),
];

function parseAll(chunks: Buffer[]): BackendMessage[] {
  const parser = new BackendParser();
  const out: BackendMessage[] = [];
  for (const chunk of chunks) {
    parser.push(chunk);
    for (let m = parser.next(); m; m = parser.next()) out.push(m);
  }
  assert.equal(parser.buffered, 0);
  return out;
}

describe('BackendParser', () => {
  it('decodes the messages the gateway acts on', () => {
    const got = parseAll([Buffer.concat(MESSAGES)]);
    assert.deepEqual(
      got.map((m) => m.type),
      [
        'authentication',
        'parameterStatus',
        'backendKeyData',
        'readyForQuery',
        'parseComplete',
        'bindComplete',
        'dataRow',
        'commandComplete',
        'error',
        'portalSuspended',
        'copyInResponse',
        'readyForQuery',
      ],
    );
    const key = got[2];
    assert.ok(key?.type === 'backendKeyData');
    assert.equal(key.processId, 4242);
    assert.deepEqual(key.secretKey, Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    const error = got[8];
    assert.ok(error?.type === 'error');
    assert.equal(error.fields.get('C'), '42P01');
    const last = got[11];
    assert.ok(last?.type === 'readyForQuery' && last.status === 'E');
  });

  it('re-parses every message when the stream is cut at every byte', () => {
    const whole = Buffer.concat(MESSAGES);
    const expected = parseAll([whole]);
    for (let cut = 1; cut < whole.length; cut++)
      assert.deepEqual(
        parseAll([whole.subarray(0, cut), whole.subarray(cut)]),
        expected,
        `cut ${cut}`,
      );
  });
});
