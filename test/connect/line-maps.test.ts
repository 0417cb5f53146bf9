import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LineContext, lineToRecord } from '../../src/connect/line-record.js';
import { parseLineRules } from '../../src/connect/mapping/line-rules.js';
import { BUILTIN_MAPPERS } from '../../src/connect/maps/builtin.js';
import { parseSyslogMessage } from '../../src/connect/syslog/parse-message.js';

const NOW = Date.parse('2026-11-22T10:00:00.000Z');
const CTX: LineContext = {
  receivedAtMs: NOW,
  boundSource: 'hosts',
  rawAction: 'syslog.raw',
  peerIp: '10.0.0.2',
};

function map(line: string, mappers = BUILTIN_MAPPERS) {
  const parsed = parseSyslogMessage(line, NOW);
  assert.ok(parsed.ok, line);
  return lineToRecord(parsed.message, mappers, CTX);
}

describe('built-in maps', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    [
      'sshd accepted password',
      '<38>Nov 22 09:14:03 web1 sshd[1]: Accepted password for alice from 10.0.0.7 port 52314 ssh2',
      {
        action: 'ssh.login',
        outcome: 'success',
        actor: { id: 'alice', type: 'user', ip: '10.0.0.7' },
        target: { type: 'host', id: 'web1' },
      },
    ],
    [
      'sshd accepted publickey',
      '<38>Nov 22 09:14:03 web1 sshd[1]: Accepted publickey for alice from 2001:db8::7 port 52314 ssh2: ED25519 SHA256:abc',
      {
        action: 'ssh.login',
        outcome: 'success',
        actor: { id: 'alice', type: 'user', ip: '2001:db8::7' },
      },
    ],
    [
      'sshd failed password for an invalid user',
      '<38>Nov 22 09:14:03 web1 sshd[1]: Failed password for invalid user admin from 203.0.113.5 port 4000 ssh2',
      {
        action: 'ssh.login',
        outcome: 'failure',
        actor: { id: 'admin', type: 'user', ip: '203.0.113.5' },
        reason: 'invalid user',
      },
    ],
    [
      'sshd invalid user',
      '<38>Nov 22 09:14:03 web1 sshd[1]: Invalid user oracle from 203.0.113.5 port 4001',
      {
        action: 'ssh.login',
        outcome: 'failure',
        actor: { id: 'oracle', type: 'user', ip: '203.0.113.5' },
      },
    ],
    [
      'sudo command',
      '<85>Nov 22 09:14:03 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update',
      {
        action: 'sudo.command',
        outcome: 'success',
        actor: { id: 'alice', type: 'user' },
        target: { type: 'user', id: 'root' },
        reason: '/usr/bin/apt update',
      },
    ],
    [
      'sudo refused',
      '<85>Nov 22 09:14:03 web1 sudo:      bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/sh',
      { action: 'sudo.command', outcome: 'denied', actor: { id: 'bob', type: 'user' } },
    ],
    [
      'sudo wrong password',
      '<85>Nov 22 09:14:03 web1 sudo:      bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/sh',
      { action: 'sudo.command', outcome: 'failure' },
    ],
    [
      'su to root',
      '<86>Nov 22 09:14:03 web1 su[9]: (to root) alice on pts/0',
      {
        action: 'su.switch_user',
        outcome: 'success',
        actor: { id: 'alice', type: 'user' },
        target: { type: 'user', id: 'root' },
      },
    ],
    [
      'su failed',
      '<86>Nov 22 09:14:03 web1 su[9]: FAILED SU (to root) bob on pts/0',
      { action: 'su.switch_user', outcome: 'failure', actor: { id: 'bob', type: 'user' } },
    ],
    [
      'PAM session opened',
      '<86>Nov 22 09:14:03 web1 sshd[1]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)',
      { action: 'session.open', outcome: 'success', actor: { id: 'alice', type: 'user' } },
    ],
    [
      'PAM authentication failure',
      '<86>Nov 22 09:14:03 web1 sudo: pam_unix(sudo:auth): authentication failure; logname=bob uid=1001 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob',
      { action: 'pam.authenticate', outcome: 'failure', actor: { id: 'bob', type: 'user' } },
    ],
    [
      'PostgreSQL connection authorised',
      '<134>Nov 22 09:14:03 db1 postgres[311]: [5-1] user=alice,db=shop,client=10.0.0.7 LOG:  connection authorized: user=alice database=shop application_name=psql',
      {
        action: 'db.connect',
        outcome: 'success',
        actor: { id: 'alice', type: 'db_role', ip: '10.0.0.7' },
        target: { type: 'database', id: 'shop' },
      },
    ],
    [
      'PostgreSQL failed password',
      '<134>Nov 22 09:14:03 db1 postgres[311]: [6-1] user=bob,db=shop,client=10.0.0.8 FATAL:  password authentication failed for user "bob"',
      {
        action: 'db.connect',
        outcome: 'failure',
        actor: { id: 'bob', type: 'db_role', ip: '10.0.0.8' },
      },
    ],
    [
      'PostgreSQL no pg_hba entry',
      '<134>Nov 22 09:14:03 db1 postgres[311]: FATAL:  no pg_hba.conf entry for host "198.51.100.4", user "eve", database "shop", no encryption',
      {
        action: 'db.connect',
        outcome: 'denied',
        actor: { id: 'eve', type: 'db_role', ip: '198.51.100.4' },
        target: { type: 'database', id: 'shop' },
      },
    ],
    [
      'pgAudit session entry through syslog (Debian %u@%d prefix)',
      '<134>Nov 22 09:14:03 db1 postgres[311]: [7-1] 2026-11-22 09:14:03.120 UTC [311] alice@shop LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.customers,"select * from customers where id = 1",<not logged>',
      {
        action: 'db.select',
        outcome: 'unknown',
        actor: { id: 'alice', type: 'db_role' },
        target: { type: 'table', id: 'public.customers' },
        reason: 'select * from customers where id = 1',
      },
    ],
  ];
  for (const [name, line, expected] of cases) {
    it(name, () => {
      const record = map(line) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual(record[key], value, `${name}: ${key}`);
      assert.equal(
        typeof (record.details as { message: string }).message,
        'string',
        'the line is kept in details',
      );
    });
  }

  it('a line no map knows is a log.message from its app, with severity from syslog', () => {
    const r = map('<11>Nov 22 09:14:03 web1 cron[5]: disk on fire');
    assert.equal(r.action, 'log.message');
    assert.deepEqual(r.actor, { id: 'cron', type: 'process' });
    assert.equal(r.severity, 'medium');
    assert.equal(r.details?.message, 'disk on fire');
  });

  it('a mapped record that does not validate is stored raw, not dropped', () => {
    const r = map(
      `<38>Nov 22 09:14:03 web1 sshd[1]: Accepted password for ${'u'.repeat(400)} from 10.0.0.7 port 1 ssh2`,
    );
    assert.equal(r.action, 'syslog.raw');
    assert.match(String(r.details?.problem), /actor\.id/);
    assert.deepEqual(r.actor, { id: '10.0.0.2', type: 'host', ip: '10.0.0.2' });
  });
});

describe('YAML line rules', () => {
  const rules = parseLineRules(
    `rules:
  - name: app-login
    when: { app: shop, message: '^login (?<user>\\S+) from (?<ip>\\S+) (?<result>success|denied|ok)$' }
    record:
      action: shop.login
      outcome: '\${result}'
      actor: { id: '\${user}', ip: '\${ip}', type: user }
      target: { type: host, id: '\${host}' }
      category: authentication
`,
    'rules.yaml',
  );

  it('fills templates from regex groups and line fields, before the built-in maps', () => {
    const r = map('<38>Nov 22 09:14:03 web1 shop[1]: login ada from 10.0.0.7 success', [
      rules,
      ...BUILTIN_MAPPERS,
    ]);
    assert.equal(r.action, 'shop.login');
    assert.deepEqual(r.actor, { id: 'ada', type: 'user', ip: '10.0.0.7' });
    assert.deepEqual(r.target, { type: 'host', id: 'web1' });
    assert.equal(r.details?.rule, 'app-login');
  });

  it('an outcome template that yields a value outside the list makes the line raw', () => {
    const r = map('<38>Nov 22 09:14:03 web1 shop[1]: login ada from 10.0.0.7 ok', [rules]);
    assert.equal(r.action, 'syslog.raw');
  });

  for (const [text, why] of [
    ['rules: 3', /list of rules/],
    ['rules: [{ when: { app: x }, record: { outcome: success } }]', /action: required/],
    ['rules: [{ when: { ap: x }, record: { action: a.b } }]', /unknown key "ap"/],
    ["rules: [{ when: { message: '(a+)+$' }, record: { action: a.b } }]", /when\.message/],
    ['rules: [{ record: { action: a.b, outcome: maybe } }]', /outcome: one of/],
  ] as const) {
    it(`refuses ${text}`, () => assert.throws(() => parseLineRules(text, 'r.yaml'), why));
  }
});

describe('raw records from odd peers', () => {
  it('a peer address with an IPv6 zone id is kept as the actor id, not as an ip', () => {
    const r = lineToRecord(
      { message: 'x', appName: 'sshd' },
      [() => ({ action: 'BAD', outcome: 'success', actor: { id: 'a' } })],
      {
        ...CTX,
        peerIp: 'fe80::1%eth0',
      },
    );
    assert.equal(r.action, 'syslog.raw');
    assert.deepEqual(r.actor, { id: 'fe80::1%eth0', type: 'host' });
  });
});
