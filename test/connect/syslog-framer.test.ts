import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SyslogFramer } from '../../src/connect/syslog/framer.js';

const A =
  '<34>1 2026-11-22T09:14:03.120Z web1 sshd 42 - - Failed password for bob from 10.0.0.9 port 22 ssh2';
const B =
  '<86>Nov 22 09:14:05 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id';

function octet(message: string): string {
  return `${Buffer.byteLength(message)} ${message}`;
}

/** Feeds `wire` split at `cut` (and at every byte when `cut` is -1), returning the messages. */
function frames(wire: Buffer, cut: number, max?: number): { text: string; truncated: boolean }[] {
  const framer = new SyslogFramer(max);
  const out = [];
  const parts =
    cut < 0 ? [...wire].map((b) => Buffer.from([b])) : [wire.subarray(0, cut), wire.subarray(cut)];
  for (const part of parts) out.push(...framer.push(part));
  out.push(...framer.end());
  return out.map((f) => ({ text: f.bytes.toString('utf8'), truncated: f.truncated }));
}

describe('syslog framing (RFC 6587)', () => {
  const cases: [string, Buffer][] = [
    ['octet-counting', Buffer.from(octet(A) + octet(B))],
    ['newline framing', Buffer.from(`${A}\n${B}\n`)],
    ['CRLF and NUL terminators', Buffer.from(`${A}\r\n${B}\0`)],
    ['mixed methods on one stream', Buffer.from(`${octet(A)}${B}\n`)],
    ['octet-counting with multi-byte UTF-8', Buffer.from(octet(`${A} Zoë 日本`) + octet(B))],
  ];
  for (const [name, wire] of cases) {
    it(`${name}: the same two messages at every split`, () => {
      const whole = frames(wire, wire.length);
      assert.equal(whole.length, 2);
      assert.ok(whole[0]!.text.startsWith('<34>1 '));
      assert.equal(whole[1]!.text, B);
      for (let cut = 0; cut <= wire.length; cut++)
        assert.deepEqual(frames(wire, cut), whole, `split at ${cut}`);
      assert.deepEqual(frames(wire, -1), whole, 'one byte at a time');
    });
  }

  it('a message octet-counting cannot hold is kept with its start, marked truncated, and the stream goes on', () => {
    const long = `<13>1 - h app - - - ${'x'.repeat(500)}`;
    const wire = Buffer.from(octet(long) + octet(A));
    for (const cut of [0, 7, 100, 300, wire.length]) {
      const out = frames(wire, cut, 128);
      assert.equal(out.length, 2, `split at ${cut}`);
      assert.equal(out[0]!.truncated, true);
      assert.equal(out[0]!.text, long.slice(0, 128));
      assert.equal(out[1]!.truncated, false);
    }
  });

  it('an over-long newline-framed line is cut at the cap and the next line is intact', () => {
    const wire = Buffer.from(`${'y'.repeat(1000)}\n${B}\n`);
    const out = frames(wire, -1, 200);
    assert.deepEqual(
      out.map((f) => [f.text.length, f.truncated]),
      [
        [200, true],
        [B.length, false],
      ],
    );
  });

  it('a last line without a terminator is still a message when the sender closes', () => {
    assert.deepEqual(
      frames(Buffer.from(`${A}\n${B}`), 5).map((f) => f.text),
      [A, B],
    );
  });

  it('digits not followed by a space are a plain line, not a length', () => {
    assert.deepEqual(
      frames(Buffer.from('12345abc\n'), 3).map((f) => f.text),
      ['12345abc'],
    );
  });
});
