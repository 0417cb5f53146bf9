import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CHECKPOINT_FILE, MANIFEST_FILE, SINCE_FILE } from '../../src/evidence/pack-layout.js';
import { readPackZip, writePackZip } from '../../src/evidence/pack-zip.js';
import { verifyPack } from '../../src/evidence/verify-pack.js';
import { tempDir } from '../support/processes.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { checkpointNote, cutPack } from './pack-fixture.js';
import { makePackLog } from './pack-log.js';

/**
 * The pack verifier (shared by `evident pack verify` and verify.html) on a golden pack: it
 * verifies, and every one-byte change, removed file, added file or file from another log's
 * pack is detected and named.
 */
describe('evidence pack verification', () => {
  let dir: string;
  let pack: Map<string, Uint8Array>;
  let otherPack: Map<string, Uint8Array>;
  let key: string;
  let otherKey: string;

  before(async () => {
    dir = tempDir('evident-pack-');
    ({ verifierKey: key } = await makePackLog(`${dir}/a`, 'evident.test/pack-a'));
    ({ verifierKey: otherKey } = await makePackLog(`${dir}/b`, 'evident.test/pack-b'));
    pack = await cutPack(`${dir}/a`, { since: await checkpointNote(`${dir}/a`, 5) });
    otherPack = await cutPack(`${dir}/b`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a golden pack, through its zip, with every control evidenced', () => {
    const verdict = verifyPack(readPackZip(writePackZip(pack, Date.now())), key);
    assert.equal(verdict.firstFailure, undefined);
    assert.equal(verdict.ok, true);
    assert.deepEqual(
      verdict.controls.map((c) => [c.id, c.ok]),
      ['A.5.15', 'A.5.16', 'A.5.18', 'A.8.2', 'A.8.5', 'A.8.15', 'A.8.16', 'A.8.17'].map((id) => [
        id,
        true,
      ]),
    );
    assert.ok(verdict.checks.some((c) => c.subject === SINCE_FILE && c.ok));
    // The notarisation comes after the reports' tree: the pack is cut past it.
    assert.ok(verdict.checkpoint!.size > verdict.reportsAsOf!.tree_size);
  });

  it('states the reports and cites the access changes and alert transitions', () => {
    const text = (name: string) => new TextDecoder().decode(pack.get(name));
    const changes = JSON.parse(text('report-access-changes.json'));
    assert.deepEqual(
      changes.changes.map((c: { action: string }) => c.action),
      ['principal.create', 'principal.role_grant', 'approval.approve', 'token.create'],
    );
    const alerts = JSON.parse(text('report-alert-handling.json'));
    assert.deepEqual(alerts.by_rule, { 'iso.failed-sign-ins': { true_positive: 1 } });
    assert.equal(alerts.mtta_ms.mean, 5 * 60_000);
    assert.equal(alerts.mttr_ms.mean, 30 * 60_000);
    const coverage = JSON.parse(text('report-coverage.json'));
    const hr = coverage.sources.find((s: { source: string }) => s.source === 'hr-app');
    assert.deepEqual([hr.max_abs_skew_ms, hr.skewed, hr.silences], [600_000, 1, 1]);
    const access = JSON.parse(text('report-access.json'));
    const ada = access.rows.find((r: { actor_id: string }) => r.actor_id === 'u-123');
    assert.deepEqual([ada.events, ada.target_id], [3, 'c-9']);
    assert.ok(
      !access.rows.some(
        (r: { actor_id: string }) => r.actor_id === 'u-old' || r.actor_id === 'u-new',
      ),
    );
    assert.match(text('report-access.csv'), /\r\n#as_of,tree_size=\d+,root_hash=/);
    const cited = text('events.ndjson')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).record.action);
    assert.deepEqual(
      cited.filter((a: string) => a.startsWith('alert.')),
      ['alert.raise', 'alert.acknowledge', 'alert.resolve'],
    );
    assert.ok(cited.includes('source.silent'));
    assert.ok(!cited.includes('principal.list'));
  });

  for (const where of ['first', 'middle', 'last'] as const) {
    it(`names the file when one byte (${where}) of any file is flipped`, () => {
      for (const [name, bytes] of pack) {
        const changed = new Uint8Array(bytes);
        const at =
          where === 'first'
            ? 0
            : where === 'last'
              ? bytes.length - 1
              : Math.floor(bytes.length / 2);
        changed[at]! ^= 0x01;
        const verdict = verifyPack(new Map(pack).set(name, changed), key);
        assert.equal(verdict.ok, false, `${name} byte ${at} flipped`);
        assert.ok(
          verdict.firstFailure!.subject.startsWith(name),
          `${name} byte ${at}: named ${verdict.firstFailure!.subject} (${verdict.firstFailure!.detail})`,
        );
      }
    });
  }

  it('names a removed file', () => {
    for (const name of pack.keys()) {
      const without = new Map(pack);
      without.delete(name);
      const verdict = verifyPack(without, key);
      assert.equal(verdict.ok, false, name);
      assert.equal(verdict.firstFailure!.subject, name);
      assert.match(verdict.firstFailure!.detail, /missing/);
    }
  });

  it('names a file that is not part of the pack', () => {
    const verdict = verifyPack(new Map(pack).set('notes.txt', new Uint8Array([1])), key);
    assert.equal(verdict.firstFailure!.subject, 'notes.txt');
  });

  it('refuses a pack cut from another log, whole or in part', () => {
    const whole = verifyPack(otherPack, key);
    assert.equal(whole.ok, false);
    assert.equal(whole.firstFailure!.subject, 'keys.json');
    assert.ok(whole.controls.every((c) => !c.ok));
    // Its own key verifies it: the refusal is about trust, not a broken pack.
    assert.equal(verifyPack(otherPack, otherKey).ok, true);
    for (const name of [
      CHECKPOINT_FILE,
      MANIFEST_FILE,
      'notarisation.json',
      'proofs.json',
      'events.ndjson',
    ]) {
      const mixed = verifyPack(new Map(pack).set(name, otherPack.get(name)!), key);
      assert.equal(mixed.ok, false, name);
      assert.ok(
        mixed.firstFailure!.subject.startsWith(name),
        `${name}: named ${mixed.firstFailure!.subject}`,
      );
    }
  });

  it('refuses a wrong or malformed key', () => {
    assert.equal(verifyPack(pack, otherKey).firstFailure!.subject, 'keys.json');
    assert.equal(verifyPack(pack, 'not a key').firstFailure!.subject, 'key');
  });

  it('refuses a zip with a name twice or a path', () => {
    const zip = writePackZip(
      new Map([
        ['a.txt', new Uint8Array([1])],
        ['b.txt', new Uint8Array([2])],
      ]),
      Date.now(),
    );
    // Rename b.txt to a.txt in both headers (same length): two entries of one name.
    const text = Buffer.from(zip).toString('latin1').replaceAll('b.txt', 'a.txt');
    assert.throws(() => readPackZip(new Uint8Array(Buffer.from(text, 'latin1'))), /twice/);
    const nested = writePackZip(new Map([['../x.txt', new Uint8Array([1])]]), Date.now());
    assert.throws(() => readPackZip(nested), /not a pack file name/);
  });
});

/** The same pack cut from a log in PostgreSQL: the store reads it needs behave alike. */
describe('evidence pack from a PostgreSQL log', { skip: !PG_ENABLED }, () => {
  let dir: string;
  let schema: Awaited<ReturnType<typeof freshPgSchema>>;
  let db: string;

  before(async () => {
    dir = tempDir('evident-pack-pg-');
    schema = await freshPgSchema();
    db = `${schema.url}${schema.url.includes('?') ? '&' : '?'}schema=${schema.schema}`;
  });
  after(async () => {
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies, with --since, and names a flipped byte', async () => {
    const { verifierKey } = await makePackLog(dir, 'evident.test/pack-pg', db);
    const since = await checkpointNote(dir, 5, db);
    const pack = await cutPack(dir, { since, databaseUrl: db });
    const verdict = verifyPack(pack, verifierKey);
    assert.equal(verdict.firstFailure, undefined);
    assert.ok(verdict.controls.length === 8 && verdict.controls.every((c) => c.ok));
    const events = new Uint8Array(pack.get('events.ndjson')!);
    events[10]! ^= 0x01;
    assert.equal(
      verifyPack(new Map(pack).set('events.ndjson', events), verifierKey).firstFailure!.subject,
      'events.ndjson',
    );
  });
});
