import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isUsable } from '../../../src/gateway/auth/credential-store.js';
import {
  createCredential,
  FileCredentialStore,
  revokeCredential,
} from '../../../src/gateway/auth/credentials-file.js';
import { tempDir } from '../../support/test-server.js';

let counter = 0;
const random = (n: number) => Buffer.alloc(n, ++counter);
const NOW = Date.parse('2026-11-22T09:00:00.000Z');

describe('gateway credentials file', () => {
  it('stores a verifier, never the secret, readable by its owner only', () => {
    const file = join(tempDir(), 'creds.json');
    const made = createCredential(file, 'ada', 3600_000, NOW, random);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(made.secret));
    assert.match(text, /SCRAM-SHA-256\$4096:/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const found = new FileCredentialStore(file).find('ada');
    assert.equal(found?.id, made.id);
    assert.equal(made.expiresAt, '2026-11-22T10:00:00.000Z');
    assert.ok(found && isUsable(found, NOW) && !isUsable(found, NOW + 3600_000));
  });

  it('a new credential replaces the old one; revoking marks it, and a running store sees it', async () => {
    const file = join(tempDir(), 'creds.json');
    const store = new FileCredentialStore(file);
    const first = createCredential(file, 'ada', 3600_000, NOW, random);
    assert.equal(store.find('ada')?.id, first.id);
    await new Promise((r) => setTimeout(r, 20)); // a new mtime
    const second = createCredential(file, 'ada', 3600_000, NOW, random);
    assert.equal(store.find('ada')?.id, second.id);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(revokeCredential(file, 'ada', NOW), true);
    assert.equal(store.find('ada')?.revoked, true);
    assert.equal(revokeCredential(file, 'ada', NOW), false, 'nothing live left to revoke');
    assert.equal(store.find('bob'), undefined);
  });
});
