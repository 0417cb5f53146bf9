import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathSegments, readSettingsFile } from '../../../src/monitor/notify/settings-file.js';

const FILE = `public_url: https://evident.example.com
channels:
  - type: webhook
    id: ops
    url: https://hooks.example.com/evident
  - type: email
    id: soc
    smtp:
      host: mail.example.com
      port: 70000
    from: evident@example.com
    to: [soc@example.com]
`;

describe('notification settings files', () => {
  it('splits JSON paths into segments', () => {
    assert.deepEqual(pathSegments('$.channels[1].smtp.port'), ['channels', 1, 'smtp', 'port']);
    assert.deepEqual(pathSegments('$'), []);
  });

  it('returns the value to send when the file is valid (YAML or JSON)', () => {
    const good = FILE.replace('70000', '587');
    const value = readSettingsFile(good, 'n.yaml');
    assert.equal((value.channels as unknown[]).length, 2);
    assert.deepEqual(readSettingsFile(JSON.stringify(value), 'n.json'), value);
  });

  it('names the file, line and column of a bad value, an unknown key and a syntax error', () => {
    assert.throws(() => readSettingsFile(FILE, 'n.yaml'), {
      message: /^n\.yaml:10:13: \$\.channels\[1\]\.smtp\.port: must be an integer from 1 to 65535$/,
    });
    const typo = FILE.replace('    url:', '    urll:');
    assert.throws(() => readSettingsFile(typo, 'n.yaml'), {
      message:
        /^n\.yaml:5:11: \$\.channels\[0\]\.urll: unknown field \(did you mean "url"\?\); allowed: type, id, enabled, min_severity, url, format, secret, secret_set, regenerate_secret$/,
    });
    const missing = FILE.replace('    url: https://hooks.example.com/evident\n', '');
    assert.throws(() => readSettingsFile(missing, 'n.yaml'), {
      message: /^n\.yaml:3:5: \$\.channels\[0\]\.url: is required/,
    });
    const unknown = FILE.replace('    id: ops', '    id: ops\n    fromat: slack');
    assert.throws(() => readSettingsFile(unknown, 'n.yaml'), {
      message:
        /^n\.yaml:5:13: \$\.channels\[0\]\.fromat: unknown field \(did you mean "format"\?\)/,
    });
    assert.throws(() => readSettingsFile('channels: [\n', 'n.yaml'), {
      message: /^n\.yaml:\d+:\d+: /,
    });
    assert.throws(() => readSettingsFile('a: 1\na: 2\n', 'n.yaml'), { message: /^n\.yaml:2:1: / });
  });
});
