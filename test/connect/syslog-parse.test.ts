import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSyslogMessage } from '../../src/connect/syslog/parse-message.js';

const NOW = Date.parse('2026-11-22T10:00:00.000Z');

describe('syslog message parsing', () => {
  it('RFC 5424 with structured data, escapes and a BOM (RFC 5424 §6.5 example 3)', () => {
    const r = parseSyslogMessage(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lic\\]ation" eventID="1011"][x@1 a="\\\\"] \uFEFFAn application event',
      NOW,
    );
    assert.ok(r.ok);
    assert.equal(r.message.format, 'rfc5424');
    assert.equal(r.message.facility, 20);
    assert.equal(r.message.severity, 5);
    assert.equal(r.message.timeMs, Date.parse('2003-10-11T22:14:15.003Z'));
    assert.equal(r.message.hostname, 'mymachine.example.com');
    assert.equal(r.message.appName, 'evntslog');
    assert.equal(r.message.procId, undefined);
    assert.equal(r.message.msgId, 'ID47');
    assert.deepEqual(r.message.structuredData, {
      'exampleSDID@32473': { iut: '3', eventSource: 'App"lic]ation', eventID: '1011' },
      'x@1': { a: '\\' },
    });
    assert.equal(r.message.message, 'An application event');
  });

  it('RFC 5424 with offsets, microseconds and nil values', () => {
    const r = parseSyslogMessage('<13>1 2026-11-22T10:14:15.123456+01:00 - - - - -', NOW);
    assert.ok(r.ok);
    assert.equal(r.message.timeMs, Date.parse('2026-11-22T09:14:15.123Z'));
    assert.equal(r.message.hostname, undefined);
    assert.equal(r.message.message, '');
  });

  it('RFC 3164 as rsyslog and sshd write it; the year comes from the receive time', () => {
    const r = parseSyslogMessage(
      '<38>Nov  2 09:14:03 web1 sshd[4242]: Accepted publickey for alice from 10.0.0.7 port 50022 ssh2',
      NOW,
    );
    assert.ok(r.ok);
    assert.equal(r.message.format, 'rfc3164');
    assert.equal(r.message.timeMs, Date.parse('2026-11-02T09:14:03Z'));
    assert.equal(r.message.hostname, 'web1');
    assert.equal(r.message.appName, 'sshd');
    assert.equal(r.message.procId, '4242');
    assert.equal(r.message.message, 'Accepted publickey for alice from 10.0.0.7 port 50022 ssh2');
  });

  it('a December line received on New Year is from the year before', () => {
    const r = parseSyslogMessage(
      '<13>Dec 31 23:59:59 h app: x',
      Date.parse('2027-01-01T00:00:05Z'),
    );
    assert.ok(r.ok);
    assert.equal(r.message.timeMs, Date.parse('2026-12-31T23:59:59Z'));
  });

  it('RFC 3164 without a hostname (a local socket) keeps the tag', () => {
    const r = parseSyslogMessage('<13>Nov 22 09:00:00 su[77]: (to root) alice on pts/1', NOW);
    assert.ok(r.ok);
    assert.equal(r.message.hostname, undefined);
    assert.equal(r.message.appName, 'su');
  });

  for (const [line, why] of [
    ['no pri here', /PRI/],
    ['<999>1 - - - - - -', /191/],
    ['<13>1 yesterday h a - - - m', /RFC 3339/],
    ['<13>1 - h a - - [broken', /SD/],
    ['<13>1 - h', /cut short/],
    ['<13>2 - h a p m - x', /version/],
  ] as const) {
    it(`refuses ${JSON.stringify(line)} with a reason`, () => {
      const r = parseSyslogMessage(line, NOW);
      assert.equal(r.ok, false);
      assert.match((r as { error: string }).error, why);
    });
  }
});
