import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isCoreError } from '../../src/core/errors.js';
import {
  isIpAddress,
  isValidAction,
  MAX_ACTION_LENGTH,
  normaliseId,
  normaliseTime,
  validateSubmittedRecord,
} from '../../src/core/record/index.js';

function withField(field: string, value: unknown) {
  return {
    time: '2026-11-22T09:14:03.120Z',
    actor: { id: 'u-1' },
    action: 'customer.read',
    outcome: 'success',
    [field]: value,
  };
}

function rejectsAt(input: unknown, path: string): void {
  assert.throws(
    () => validateSubmittedRecord(input, '$', { boundSource: 's' }),
    (e: unknown) => isCoreError(e, 'INVALID_RECORD') && e.path === path,
  );
}

describe('time: RFC 3339 with offset, normalised to UTC milliseconds', () => {
  const ACCEPTED: [string, string][] = [
    ['2026-11-22T09:14:03.120Z', '2026-11-22T09:14:03.120Z'],
    ['2026-11-22t09:14:03.120z', '2026-11-22T09:14:03.120Z'],
    ['2026-11-22T09:14:03Z', '2026-11-22T09:14:03.000Z'],
    ['2026-11-22T09:14:03.1Z', '2026-11-22T09:14:03.100Z'],
    ['2026-11-22T09:14:03.12Z', '2026-11-22T09:14:03.120Z'],
    // 9 fractional digits: truncated, never rounded up into the next second/day
    ['2026-11-22T09:14:03.123456789Z', '2026-11-22T09:14:03.123Z'],
    ['2026-12-31T23:59:59.999999999Z', '2026-12-31T23:59:59.999Z'],
    ['2026-11-22T09:14:03.000000000000000000001Z', '2026-11-22T09:14:03.000Z'],
    // leap days
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    // offsets, including ones that cross midnight, a month and a year
    ['2026-11-22T10:14:03.120+01:00', '2026-11-22T09:14:03.120Z'],
    ['2026-11-22T00:30:00+01:00', '2026-11-21T23:30:00.000Z'],
    ['2026-11-21T23:30:00-01:00', '2026-11-22T00:30:00.000Z'],
    ['2026-12-31T23:30:00-05:30', '2027-01-01T05:00:00.000Z'],
    ['2026-03-01T00:00:00+00:01', '2026-02-28T23:59:00.000Z'],
    ['2024-03-01T01:00:00+02:00', '2024-02-29T23:00:00.000Z'],
    ['2026-11-22T09:14:03+23:59', '2026-11-21T09:15:03.000Z'],
    ['2026-11-22T09:14:03-23:59', '2026-11-23T09:13:03.000Z'],
    ['2026-11-22T09:14:03.5+05:45', '2026-11-22T03:29:03.500Z'],
    ['2026-11-22T09:14:03-00:00', '2026-11-22T09:14:03.000Z'],
    ['2026-11-22T09:14:03+00:00', '2026-11-22T09:14:03.000Z'],
    // range edges (the UTC instant must be in 1970–9999)
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
    ['1969-12-31T23:30:00-01:00', '1970-01-01T00:30:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['9999-12-31T23:59:59+00:00', '9999-12-31T23:59:59.000Z'],
  ];
  for (const [input, expected] of ACCEPTED) {
    it(`${input} → ${expected}`, () => {
      assert.equal(normaliseTime(input), expected);
      const out = validateSubmittedRecord(withField('time', input), '$', { boundSource: 's' });
      assert.equal(out.time, expected);
    });
  }

  const REJECTED = [
    '2026-02-29T00:00:00Z', // not a leap year
    '2100-02-29T00:00:00Z', // century rule
    '2026-02-30T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-00T00:00:00Z',
    '2026-11-22T24:00:00Z',
    '2026-11-22T23:60:00Z',
    '2016-12-31T23:59:60Z', // leap second
    '2026-11-22 09:14:03Z', // space instead of T
    '2026-11-22T09:14:03', // no offset
    '2026-11-22T09:14:03.120', // no offset
    '2026-11-22T09:14:03.Z',
    '2026-11-22T09:14:03+0100',
    '2026-11-22T09:14:03+01',
    '2026-11-22T09:14:03+24:00',
    '2026-11-22T09:14:03+01:60',
    '2026-11-22T09:14:03ZZ',
    '2026-11-22T09:14:03Z ',
    ' 2026-11-22T09:14:03Z',
    '2026-11-22T09:14:03 Z',
    '2026-11-22T09:14:03UTC',
    '26-11-22T09:14:03Z',
    '2026-1-22T09:14:03Z',
    '2026-11-22T9:14:03Z',
    '2026/11/22T09:14:03Z',
    '２０２６-11-22T09:14:03Z', // full-width digits
    '2026-11-22T09:14:03,120Z', // comma decimal
    '1969-12-31T23:59:59.999Z',
    '1970-01-01T00:30:00+01:00', // UTC 1969
    '0075-01-01T00:00:00Z', // Date.UTC would read 1975
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:00:00-02:00', // UTC 10000
    `2026-11-22T09:14:03.${'1'.repeat(60)}Z`, // over MAX_TIME_LENGTH
    '',
    'now',
  ];
  for (const input of REJECTED) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(typeof normaliseTime(input), 'object');
      rejectsAt(withField('time', input), '$.time');
    });
  }
});

describe('id: ULID (upper case) or UUID (lower case)', () => {
  const ACCEPTED: [string, string][] = [
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['01arz3ndektsv4rrffq69g5fav', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['01ArZ3nDeKtSv4RrFfQ69G5fAv', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['7ZZZZZZZZZZZZZZZZZZZZZZZZZ', '7ZZZZZZZZZZZZZZZZZZZZZZZZZ'],
    ['00000000000000000000000000', '00000000000000000000000000'],
    ['123e4567-e89b-12d3-a456-426614174000', '123e4567-e89b-12d3-a456-426614174000'],
    ['123E4567-E89B-12D3-A456-426614174000', '123e4567-e89b-12d3-a456-426614174000'],
    ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
  ];
  for (const [input, expected] of ACCEPTED) {
    it(`${input} → ${expected}`, () => {
      assert.equal(normaliseId(input), expected);
      const out = validateSubmittedRecord(withField('id', input), '$', { boundSource: 's' });
      assert.equal(out.id, expected);
    });
  }

  const REJECTED = [
    '81ARZ3NDEKTSV4RRFFQ69G5FAV', // first char > 7 overflows 128 bits
    'Z1ARZ3NDEKTSV4RRFFQ69G5FAV',
    '01ARZ3NDEKTSV4RRFFQ69G5FAI', // I is not Crockford
    '01ARZ3NDEKTSV4RRFFQ69G5FAL',
    '01ARZ3NDEKTSV4RRFFQ69G5FAO',
    '01ARZ3NDEKTSV4RRFFQ69G5FAU',
    '01ARZ3NDEKTSV4RRFFQ69G5FA',
    '01ARZ3NDEKTSV4RRFFQ69G5FAVX',
    '01ARZ3NDEKTSV4RRFFQ69G5FA-',
    '01ARZ3NDEKTSV4RRFFQ69G5FA\u00e9',
    '{123e4567-e89b-12d3-a456-426614174000}',
    'urn:uuid:123e4567-e89b-12d3-a456-426614174000',
    '123e4567e89b12d3a456426614174000',
    '123e4567-e89b-12d3-a456-42661417400g',
    '123e4567_e89b_12d3_a456_426614174000',
    '123e4567-e89b-12d3-a4564-26614174000',
    'evt-1',
  ];
  for (const input of REJECTED) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(normaliseId(input), undefined);
      rejectsAt(withField('id', input), '$.id');
    });
  }
});

describe('action: dotted <object>.<verb>', () => {
  const ACCEPTED = [
    'customer.read',
    'a.b',
    'user.password_reset',
    'api-key.create',
    'billing.invoice.export',
    'A1.B2',
    `a.${'b'.repeat(MAX_ACTION_LENGTH - 2)}`,
  ];
  for (const input of ACCEPTED) {
    it(`accepts ${input.slice(0, 40)}`, () => assert.equal(isValidAction(input), true));
  }
  const REJECTED = [
    'read',
    '.read',
    'customer.',
    'customer..read',
    '.',
    'customer read',
    'customer.réad',
    'customer/read',
    'customer:read',
    'customer.read\n',
    '',
    `a.${'b'.repeat(MAX_ACTION_LENGTH - 1)}`,
  ];
  for (const input of REJECTED) {
    it(`rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
      assert.equal(isValidAction(input), false);
      rejectsAt(withField('action', input), '$.action');
    });
  }
});

describe('actor.ip: IPv4 or IPv6, kept as given', () => {
  const ACCEPTED = [
    '10.0.0.7',
    '0.0.0.0',
    '255.255.255.255',
    '192.168.1.10',
    '::1',
    '::',
    '2001:db8::7',
    'FE80::1',
    '2001:DB8:0:0:0:0:0:1',
    '1:2:3:4:5:6:7:8',
    '::ffff:10.0.0.7',
    '1:2:3:4:5:6:1.2.3.4',
    '0000:0000:0000:0000:0000:ffff:255.255.255.255',
  ];
  for (const ip of ACCEPTED) {
    it(`accepts ${ip}`, () => {
      assert.equal(isIpAddress(ip), true);
      const out = validateSubmittedRecord(withField('actor', { id: 'u', ip }), '$', {
        boundSource: 's',
      });
      assert.equal(out.actor.ip, ip);
    });
  }
  const REJECTED = [
    '256.0.0.1',
    '01.0.0.1',
    '1.2.3.04',
    '00.0.0.0',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    '1.2.3.',
    '.1.2.3',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '0x1.2.3.4',
    '1234.1.1.1',
    'localhost',
    'fe80::1%eth0',
    '[::1]',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '::ffff:010.0.0.7',
    '::ffff:1.2.3',
    ':::',
    ':1',
    'g::1',
    '12345::',
    '::1/128',
    '0000:0000:0000:0000:0000:ffff:255.255.255.2555',
    '',
  ];
  for (const ip of REJECTED) {
    it(`rejects ${JSON.stringify(ip)}`, () => {
      assert.equal(isIpAddress(ip), false);
      rejectsAt(withField('actor', { id: 'u', ip }), '$.actor.ip');
    });
  }
});
