import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadGatewayConfig } from '../../../src/gateway/config/gateway-config.js';

function configFile(text: string, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'evident-gw-config-'));
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

describe('gateway --config', () => {
  it('reads several databases, each with its own listen, upstream, mode, TLS and rules', () => {
    const file = configFile(
      `url: http://evident.internal:8080
credentials: people.json
databases:
  - name: app
    listen: 127.0.0.1:6432
    upstream: postgres://gw_app@db1:5432/app
    password_env: APP_PG_PASSWORD
    mode: fail_closed
    redact: all
    guardrails: rules.yaml
    tls: { cert: tls/cert.pem, key: tls/key.pem, require: true }
    queue: 500
  - listen: "[::1]:6433"
    upstream: postgres://gw_billing@db2/billing
    guardrails:
      - name: no-truncate
        statements: [truncate]
`,
      { 'rules.yaml': 'rules:\n  - name: no-drop\n    statements: [drop]\n' },
    );
    const dir = join(file, '..');
    const config = loadGatewayConfig(file, { APP_PG_PASSWORD: 's3cret' });
    assert.equal(config.url, 'http://evident.internal:8080');
    assert.equal(config.credentials, join(dir, 'people.json'));
    const [app, billing] = config.databases;
    assert.deepEqual(app, {
      name: 'app',
      host: '127.0.0.1',
      port: 6432,
      upstream: 'postgres://gw_app@db1:5432/app',
      upstreamPassword: 's3cret',
      mode: 'fail_closed',
      redaction: 'all',
      guardrails: [{ name: 'no-drop', statements: ['drop'], mode: 'enforce' }],
      tls: {
        certFile: join(dir, 'tls/cert.pem'),
        keyFile: join(dir, 'tls/key.pem'),
        require: true,
      },
      queueCapacity: 500,
    });
    assert.deepEqual(billing, {
      name: 'billing',
      host: '::1',
      port: 6433,
      upstream: 'postgres://gw_billing@db2/billing',
      mode: 'observe',
      redaction: 'literals',
      guardrails: [{ name: 'no-truncate', statements: ['truncate'], mode: 'enforce' }],
    });
  });

  it('says where a mistake is', () => {
    const cases: [string, RegExp][] = [
      ['databases: []\n', /non-empty list under "databases:"/],
      ['databases:\n  - listen: 127.0.0.1:1\n', /databases\[0\]\.upstream: expected text/],
      [
        'databases:\n  - listen: 127.0.0.1:1\n    upstream: postgres://a@b/c\n    mdoe: observe\n',
        /databases\[0\]: unknown key mdoe/,
      ],
      [
        'databases:\n  - listen: nowhere\n    upstream: postgres://a@b/c\n',
        /databases\[0\]\.listen must be host:port/,
      ],
      [
        'databases:\n  - listen: 127.0.0.1:1\n    upstream: postgres://a@b/c\n    mode: sometimes\n',
        /mode: observe or fail_closed/,
      ],
      [
        'databases:\n  - listen: 127.0.0.1:1\n    upstream: postgres://a@b/c\n    password_env: NOPE\n',
        /the environment has no NOPE/,
      ],
      [
        'databases:\n  - listen: 127.0.0.1:7\n    upstream: postgres://a@b/c\n  - listen: 127.0.0.1:7\n    upstream: postgres://a@b/d\n',
        /two databases listen on 127.0.0.1:7/,
      ],
      [
        'databases:\n  - listen: 127.0.0.1:1\n    upstream: postgres://a@b/c\n    guardrails: [{ name: x }]\n',
        /databases\[0\]\.guardrails\[0\] \(x\): give at least one of statements, schemas, tables or missing_where/,
      ],
      ['key: evk_secret\ndatabases: []\n', /unknown key key/],
    ];
    for (const [text, pattern] of cases)
      assert.throws(() => loadGatewayConfig(configFile(text), {}), pattern, text);
  });
});
