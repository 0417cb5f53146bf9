import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrontendMessage } from '../../../src/gateway/postgres/frontend-messages.js';
import { FrontendParser } from '../../../src/gateway/postgres/frontend-parser.js';
import { ProtocolError } from '../../../src/gateway/postgres/protocol-error.js';
import { bind, build } from './buffer-builder.js';

const MESSAGES: Buffer[] = [
  build().cstring('select 1; select 2').join('Q'),
  build().cstring('s1').cstring('select $1::int, $2').int16(2).int32(23).int32(0).join('P'),
  bind('p1', 's1', ['42', null]),
  bind('', 's1', [Buffer.from([0, 0, 0, 7]), 'x'], [1, 0]),
  build().add([0x53]).cstring('s1').join('D'),
  build().add([0x50]).cstring('p1').join('D'),
  build().cstring('p1').int32(10).join('E'),
  build().join('H'),
  build().add([0x50]).cstring('p1').join('C'),
  build().join('S'),
  build().add(Buffer.from('1\t2\n')).join('d'),
  build().join('c'),
  build().cstring('client gave up').join('f'),
  build().join('X'),
];

function parseAll(chunks: Buffer[]): FrontendMessage[] {
  const parser = new FrontendParser();
  const out: FrontendMessage[] = [];
  for (const chunk of chunks) {
    parser.push(chunk);
    for (let m = parser.nextMessage(); m; m = parser.nextMessage()) out.push(m);
  }
  assert.equal(parser.buffered, 0);
  return out;
}

describe('FrontendParser', () => {
  it('decodes the extended-protocol messages, NULL and binary parameters included', () => {
    const [query, parse, bindText, bindBinary, descS, , execute] = parseAll(MESSAGES);
    assert.deepEqual(query, { type: 'query', sql: 'select 1; select 2', raw: MESSAGES[0] });
    assert.equal(parse?.type, 'parse');
    if (parse?.type === 'parse') assert.deepEqual(parse.paramTypes, [23, 0]);
    assert.equal(bindText?.type, 'bind');
    if (bindText?.type === 'bind') {
      assert.equal(bindText.portal, 'p1');
      assert.deepEqual(bindText.params, [Buffer.from('42'), null]);
    }
    if (bindBinary?.type === 'bind') {
      assert.deepEqual(bindBinary.paramFormats, [1, 0]);
      assert.deepEqual(bindBinary.params[0], Buffer.from([0, 0, 0, 7]));
    } else assert.fail('second bind not decoded');
    assert.deepEqual(descS && { ...descS, raw: undefined }, {
      type: 'describe',
      target: 'S',
      name: 's1',
      raw: undefined,
    });
    assert.equal(execute?.type === 'execute' && execute.maxRows, 10);
  });

  it('re-parses the same messages when the stream is cut at every byte', () => {
    const whole = Buffer.concat(MESSAGES);
    const expected = parseAll([whole]);
    assert.equal(expected.length, MESSAGES.length);
    for (let cut = 1; cut < whole.length; cut++) {
      assert.deepEqual(
        parseAll([whole.subarray(0, cut), whole.subarray(cut)]),
        expected,
        `cut ${cut}`,
      );
    }
    // and byte by byte
    assert.deepEqual(parseAll([...whole].map((b) => Buffer.from([b]))), expected);
  });

  it('refuses an oversized message from its length field, before buffering its body', () => {
    const parser = new FrontendParser({ maxMessageBytes: 1024 });
    parser.push(Buffer.from([0x51, 0x00, 0x10, 0x00, 0x00])); // Query claiming 1 MiB
    assert.throws(
      () => parser.nextMessage(),
      (e) => e instanceof ProtocolError && e.code === 'message_too_large',
    );
  });

  it('refuses a length below 4 and a Bind whose parameter runs past its end', () => {
    const short = new FrontendParser();
    short.push(Buffer.from([0x51, 0, 0, 0, 3]));
    assert.throws(
      () => short.nextMessage(),
      (e) => e instanceof ProtocolError && e.code === 'malformed',
    );
    const lying = new FrontendParser();
    lying.push(build().cstring('').cstring('').int16(0).int16(1).int32(100).join('B'));
    assert.throws(
      () => lying.nextMessage(),
      (e) => e instanceof ProtocolError && e.code === 'malformed',
    );
  });

  it('decodes startup packets: SSLRequest, GSSENCRequest, CancelRequest, StartupMessage 3.2', () => {
    const packets = [
      build().int32(80877103).join(),
      build().int32(80877104).join(),
      build().int32(80877102).int32(77).int32(0x01020304).join(),
      build()
        .int32((3 << 16) | 2)
        .cstring('user')
        .cstring('ada')
        .cstring('_pq_.x')
        .cstring('1')
        .cstring('')
        .join(),
    ];
    const whole = Buffer.concat(packets);
    for (let cut = 0; cut <= whole.length; cut++) {
      const parser = new FrontendParser();
      parser.push(whole.subarray(0, cut));
      parser.push(whole.subarray(cut));
      const got = [];
      for (let p = parser.nextStartupPacket(); p; p = parser.nextStartupPacket()) got.push(p);
      assert.deepEqual(
        got.map((p) => p.type),
        ['sslRequest', 'gssEncRequest', 'cancelRequest', 'startup'],
      );
      const startup = got[3];
      assert.ok(startup?.type === 'startup');
      assert.equal(startup.minor, 2);
      assert.equal(startup.parameters.get('user'), 'ada');
      const cancel = got[2];
      assert.ok(cancel?.type === 'cancelRequest');
      assert.equal(cancel.processId, 77);
      assert.deepEqual(cancel.secretKey, Buffer.from([1, 2, 3, 4]));
    }
  });

  it('refuses a startup packet longer than PostgreSQL allows', () => {
    const parser = new FrontendParser();
    parser.push(Buffer.from([0, 1, 0, 0]));
    assert.throws(
      () => parser.nextStartupPacket(),
      (e) => e instanceof ProtocolError && e.code === 'message_too_large',
    );
  });
});
