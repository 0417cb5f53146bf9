import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkOf } from '../../../src/monitor/rules/ip-network.js';
import { regexProblem } from '../../../src/monitor/rules/regex-guard.js';
import { entry, rulesOf, T0 } from './helpers.js';

/** The predicate of the only rule in `matchYaml` (indented as a match block). */
function matcher(matchYaml: string, calendars = '') {
  const rules = rulesOf(
    `${calendars}rules:\n  - id: r\n    title: R\n    severity: low\n    match:\n${matchYaml
      .trim()
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n')}\n`,
  );
  return rules.active[0]!.match;
}

describe('rule conditions', () => {
  it('equals, in, prefix, suffix, exists on dotted paths', () => {
    const m = matcher(`
action: { prefix: [customer., invoice.], suffix: .read }
actor.type: [user, service]
target.sensitivity: restricted
actor.ip: { exists: true }
`);
    const base = {
      seq: 1,
      atMs: T0,
      action: 'customer.read',
      actor: { id: 'u', type: 'user', ip: '10.0.0.1' },
      target: { id: 't', sensitivity: 'restricted' },
    };
    assert.equal(m(entry(base)), true);
    assert.equal(m(entry({ ...base, action: 'invoice.read' })), true);
    assert.equal(m(entry({ ...base, action: 'customer.update' })), false);
    assert.equal(m(entry({ ...base, action: 'order.read' })), false);
    assert.equal(m(entry({ ...base, actor: { id: 'u', type: 'bot', ip: '1.2.3.4' } })), false);
    assert.equal(m(entry({ ...base, actor: { id: 'u', type: 'user' } })), false);
    assert.equal(m(entry({ ...base, target: { id: 't', sensitivity: 'internal' } })), false);
    assert.equal(m(entry({ ...base, target: { id: 't' } })), false);
  });

  it('numeric comparisons at their bounds, on numbers only', () => {
    const m = matcher('request.status: { gte: 500, lt: 600 }\ndetails.rows: { gt: 1000 }');
    const at = (status: unknown, rows: unknown) =>
      m(entry({ seq: 1, atMs: T0, extra: { request: { status }, details: { rows } } }));
    assert.equal(at(500, 1001), true);
    assert.equal(at(599, 1001), true);
    assert.equal(at(499, 1001), false);
    assert.equal(at(600, 1001), false);
    assert.equal(at(500, 1000), false);
    assert.equal(at(500, '5000'), false);
  });

  it('regex, any and not', () => {
    const m = matcher(`
reason: { regex: "^TICKET-[0-9]+$" }
any:
  - outcome: failure
  - outcome: denied
not:
  actor.id: { prefix: svc- }
`);
    const e = (reason: string, outcome: string, actor: string) =>
      entry({ seq: 1, atMs: T0, outcome, actor: { id: actor }, extra: { reason } });
    assert.equal(m(e('TICKET-12', 'failure', 'u-1')), true);
    assert.equal(m(e('TICKET-12', 'denied', 'u-1')), true);
    assert.equal(m(e('TICKET-12', 'success', 'u-1')), false);
    assert.equal(m(e('TICKET-12', 'failure', 'svc-backup')), false);
    assert.equal(m(e('ticket-12', 'failure', 'u-1')), false);
  });

  it('time_of_day wraps past midnight, in its time zone, on received_at', () => {
    const m = matcher('time_of_day: { from: "22:00", to: "06:00", time_zone: America/New_York }');
    // 2026-11-23 is EST (UTC−5): 22:00 local = 03:00Z next day; 06:00 local = 11:00Z.
    const at = (iso: string) => m(entry({ seq: 1, atMs: Date.parse(iso) }));
    assert.equal(at('2026-11-24T02:59:59.999Z'), false); // 21:59:59 local
    assert.equal(at('2026-11-24T03:00:00.000Z'), true); // 22:00 local
    assert.equal(at('2026-11-24T10:59:00.000Z'), true); // 05:59 local
    assert.equal(at('2026-11-24T11:00:00.000Z'), false); // 06:00 local: the end is exclusive
  });

  it('off_hours follows the calendar across a DST change and on holidays', () => {
    const calendars = `calendars:
  office:
    time_zone: Europe/Berlin
    days: [mon, tue, wed, thu, fri]
    hours: "08:00-18:00"
    holidays: [2026-12-24]
`;
    const offHours = matcher('off_hours: office', calendars);
    const at = (iso: string) => offHours(entry({ seq: 1, atMs: Date.parse(iso) }));
    // Friday 2026-03-27, CET (UTC+1): 06:30Z = 07:30 local, before work.
    assert.equal(at('2026-03-27T06:30:00.000Z'), true);
    assert.equal(at('2026-03-27T07:00:00.000Z'), false); // 08:00 local
    // Monday 2026-03-30, after the switch to CEST (UTC+2) on Sunday: 06:30Z = 08:30 local.
    assert.equal(at('2026-03-30T06:30:00.000Z'), false);
    assert.equal(at('2026-03-30T05:59:00.000Z'), true); // 07:59 local
    assert.equal(at('2026-03-30T16:00:00.000Z'), true); // 18:00 local: the end is exclusive
    // Sunday 2026-03-29, the DST day itself: not a working day.
    assert.equal(at('2026-03-29T10:00:00.000Z'), true);
    // Thursday 2026-12-24 is a holiday; Wednesday 23rd is not.
    assert.equal(at('2026-12-24T10:00:00.000Z'), true);
    assert.equal(at('2026-12-23T10:00:00.000Z'), false);
    // Late on the 23rd UTC is already the 24th in Berlin (a holiday) — local dates count.
    assert.equal(at('2026-12-23T23:30:00.000Z'), true);
  });
});

describe('regex guard', () => {
  it('accepts ordinary anchored patterns', () => {
    for (const ok of [
      '^customer\\.(read|export)$',
      '^[a-z]+\\.[a-z]+$',
      '^TICKET-\\d{1,8}$',
      '(?:ab)+c',
      '^(GET|POST) /api',
      'a{2,5}b?',
    ]) {
      assert.equal(regexProblem(ok), undefined, ok);
    }
  });

  it('refuses nested quantifiers, quantified alternations, backreferences and lookaround', () => {
    const refused: [string, RegExp][] = [
      ['(a+)+$', /backtrack exponentially/],
      ['(a*)*b', /backtrack exponentially/],
      ['(a|aa)+$', /backtrack exponentially/],
      ['((ab)+c)*', /backtrack exponentially/],
      ['(x+){2,}', /backtrack exponentially/],
      ['(a)\\1', /backreferences/],
      ['(?<n>a)\\k<n>', /backreferences/],
      ['foo(?=bar)', /lookahead/],
      ['(?<!x)y', /lookahead and lookbehind/],
      ['a*b*c*d*e*', /unbounded quantifiers/],
      ['x'.repeat(257), /longer than 256/],
    ];
    for (const [pattern, why] of refused) {
      assert.match(regexProblem(pattern) ?? 'accepted', why, pattern);
    }
  });

  it('quantifiers inside a character class are plain characters', () => {
    assert.equal(regexProblem('([+*]x)+'), undefined);
  });
});

describe('IP networks', () => {
  it('IPv4 /24, IPv6 /64 in one spelling, IPv4-mapped as IPv4', () => {
    assert.equal(networkOf('10.1.2.3'), '10.1.2.0/24');
    assert.equal(networkOf('10.1.2.250'), '10.1.2.0/24');
    assert.equal(networkOf('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(networkOf('2001:0DB8:0000:0001:ffff::1'), '2001:db8:0:1::/64');
    assert.equal(networkOf('::ffff:192.0.2.7'), '192.0.2.0/24');
    assert.equal(networkOf('::1'), '0:0:0:0::/64');
    assert.equal(networkOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(networkOf('not-an-ip'), undefined);
  });
});
