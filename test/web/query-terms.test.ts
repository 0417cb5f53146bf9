import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuery, presetFrom } from '../../web/src/query-terms.js';

describe('the dashboard query bar', () => {
  it('turns key:value terms into API parameters, quoted values whole', () => {
    assert.deepEqual(
      parseQuery('actor:u-123 action:customer.* outcome:failure source:billing-api ip:10.0.0.0/8'),
      {
        ok: true,
        params: {
          actor: 'u-123',
          action: 'customer.*',
          outcome: 'failure',
          source: 'billing-api',
          ip: '10.0.0.0/8',
        },
      },
    );
    assert.deepEqual(parseQuery('actor_name:"Ada Lovelace"  target:c-9'), {
      ok: true,
      params: { actor_name: 'Ada Lovelace', target: 'c-9' },
    });
    assert.deepEqual(parseQuery('time_from:2026-11-01T00:00:00Z from:2026-11-02T00:00:00Z'), {
      ok: true,
      params: { time_from: '2026-11-01T00:00:00Z', from: '2026-11-02T00:00:00Z' },
    });
  });

  it('sends free text as actor_name and an empty query as nothing', () => {
    assert.deepEqual(parseQuery('Ada "van Rossum" source:hr'), {
      ok: true,
      params: { source: 'hr', actor_name: 'Ada van Rossum' },
    });
    assert.deepEqual(parseQuery('   '), { ok: true, params: {} });
  });

  it('refuses unknown keys, empty values and repeated keys with what to fix', () => {
    const unknown = parseQuery('colour:red');
    assert.equal(unknown.ok, false);
    assert.match(!unknown.ok ? unknown.message : '', /"colour:" is not a search term; use actor:/);
    const empty = parseQuery('actor:');
    assert.match(!empty.ok ? empty.message : '', /needs a value/);
    const twice = parseQuery('actor:a actor:b');
    assert.match(!twice.ok ? twice.message : '', /given twice/);
    const both = parseQuery('Ada actor_name:Bob');
    assert.match(!both.ok ? both.message : '', /keep one/);
  });

  it('turns a date preset into a received-time lower bound', () => {
    const now = Date.parse('2026-11-22T09:00:00.000Z');
    assert.equal(presetFrom('24h', now), '2026-11-21T09:00:00.000Z');
    assert.equal(presetFrom('7d', now), '2026-11-15T09:00:00.000Z');
    assert.equal(presetFrom('', now), undefined);
    assert.equal(presetFrom('forever', now), undefined);
  });
});
