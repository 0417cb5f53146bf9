import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signWebhook, verifyWebhookSignature } from '../../../src/monitor/notify/signature.js';

const SECRET = 'whsec_test-secret-0123456789abcdef';
const BODY = '{"type":"alert.raised"}';
const T = 1764374400; // 2025-11-29T00:00:00Z
// From the shell recipe in docs/notifications.md:
//   printf '%s' '1764374400.{"type":"alert.raised"}' | openssl dgst -sha256 -hmac "$SECRET" -hex
const OPENSSL_HEX = '0e7ffb80cda58a26258a5ac069d96cbeb255a2f78e699d49ad8fc45976b9bf1b';

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 exactly as openssl computes it', () => {
    assert.equal(signWebhook(SECRET, BODY, T * 1000 + 999), `t=${T},v1=${OPENSSL_HEX}`);
  });

  it('verifies a fresh signature over the raw bytes, as a string or as a buffer', () => {
    const header = signWebhook(SECRET, BODY, T * 1000);
    assert.deepEqual(verifyWebhookSignature(SECRET, header, BODY, T * 1000 + 1000), {
      ok: true,
      timestamp: T,
    });
    const bytes = new TextEncoder().encode(BODY);
    assert.equal(verifyWebhookSignature(SECRET, header, bytes, T * 1000).ok, true);
  });

  it('refuses a changed body, a wrong secret and a changed timestamp', () => {
    const header = signWebhook(SECRET, BODY, T * 1000);
    const now = T * 1000;
    assert.deepEqual(verifyWebhookSignature(SECRET, header, `${BODY} `, now), {
      ok: false,
      reason: 'mismatch',
    });
    assert.equal(verifyWebhookSignature(`${SECRET}x`, header, BODY, now).ok, false);
    const shifted = header.replace(`t=${T}`, `t=${T + 1}`);
    assert.deepEqual(verifyWebhookSignature(SECRET, shifted, BODY, now), {
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses timestamps outside the tolerance on either side (replays, skewed clocks)', () => {
    const header = signWebhook(SECRET, BODY, T * 1000);
    const at = (seconds: number) => verifyWebhookSignature(SECRET, header, BODY, seconds * 1000);
    assert.equal(at(T + 300).ok, true, 'the edge of the default 300 s window still passes');
    assert.deepEqual(at(T + 301), { ok: false, reason: 'outside_tolerance' });
    assert.deepEqual(at(T - 301), { ok: false, reason: 'outside_tolerance' });
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, (T + 30) * 1000, 10).ok, false);
  });

  it('accepts any one matching v1 (secret rotation) and ignores unknown schemes', () => {
    const good = signWebhook(SECRET, BODY, T * 1000).split(',')[1]!;
    const header = `t=${T},v1=${'0'.repeat(64)},v0=abc,${good}`;
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, T * 1000).ok, true);
  });

  it('calls malformed headers malformed', () => {
    for (const header of [
      undefined,
      '',
      `v1=${OPENSSL_HEX}`,
      `t=${T}`,
      `t=abc,v1=${OPENSSL_HEX}`,
      `t=${T},t=${T},v1=${OPENSSL_HEX}`,
      `t=${T},v1=${OPENSSL_HEX.slice(2)}`,
      'garbage',
    ]) {
      assert.deepEqual(
        verifyWebhookSignature(SECRET, header, BODY, T * 1000),
        {
          ok: false,
          reason: 'malformed',
        },
        String(header),
      );
    }
  });
});
