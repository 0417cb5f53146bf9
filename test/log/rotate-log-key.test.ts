import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { toHex } from '../../src/core/bytes.js';
import { openCheckpoint, signCheckpoint } from '../../src/core/checkpoint.js';
import { isCoreError } from '../../src/core/errors.js';
import { keyHistoryToJson, openLogCheckpoint } from '../../src/core/key-history.js';
import {
  firstSignatureKeyId,
  formatVerifierKey,
  generateSignerKey,
  type NoteSigner,
  parseSignerKey,
  parseVerifierKey,
} from '../../src/core/note.js';
import type { SubmittedRecord } from '../../src/core/record/types.js';
import { AppError } from '../../src/errors.js';
import { copyLog } from '../../src/log/copy-log.js';
import { stageLogKey } from '../../src/log/log-key.js';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { prepareFolderKey, rotateFolderKey } from '../../src/log/rotate-folder-key.js';
import { rotateLogKey } from '../../src/log/rotate-log-key.js';
import { readKeyHistory } from '../../src/log/stored-key-history.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ManualClock } from '../../src/util/clock.js';
import { ulidGenerator } from '../../src/util/ids.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { START_MS, TEST_ORIGIN, tempDir } from '../support/test-server.js';

const OPERATOR = { id: 'ops-ada', type: 'operator' };

const record = (n: number): SubmittedRecord => ({
  time: '2026-11-22T09:00:00.000Z',
  actor: { id: `u-${n}` },
  action: 'doc.read',
  outcome: 'success',
});

const vkey = (s: NoteSigner) => formatVerifierKey(s.name, s.publicKey);
const keyText = (dir: string, name = 'log.key') => readFileSync(join(dir, name), 'utf8').trim();
const signerIn = (dir: string, name = 'log.key') => parseSignerKey(keyText(dir, name));
const keyFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('log.key'))
    .sort();

/** Signed by `key` and by no other key of the history (openCheckpoint checks one key). */
const signedOnlyBy = (note: string, key: NoteSigner, others: NoteSigner[]) => {
  openCheckpoint(note, [parseVerifierKey(vkey(key))]);
  for (const other of others) {
    assert.throws(
      () => openCheckpoint(note, [parseVerifierKey(vkey(other))]),
      (e: unknown) => isCoreError(e, 'UNKNOWN_KEY'),
    );
  }
};

interface Backend {
  name: string;
  /** Where a new log's database lives; PostgreSQL logs live outside the data folder. */
  database(): Promise<{ databaseUrl?: string; drop(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  { name: 'sqlite', database: async () => ({ drop: async () => undefined }) },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          database: async () => {
            const s = await freshPgSchema();
            const sep = s.url.includes('?') ? '&' : '?';
            return { databaseUrl: `${s.url}${sep}schema=${s.schema}`, drop: s.drop };
          },
        },
      ]
    : []),
];

for (const backend of BACKENDS) {
  describe(`log key rotation (${backend.name})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    /** A new log with a few batches; `open` opens it (again) from any data folder. */
    const fresh = async () => {
      const dir = tempDir();
      const db = await backend.database();
      const clock = new ManualClock(START_MS);
      const logs: OpenLog[] = [];
      const dirs = [dir];
      const open = async (dataDir = dir) => {
        const log = await openLog({
          dataDir,
          ...(db.databaseUrl ? { databaseUrl: db.databaseUrl } : {}),
          origin: TEST_ORIGIN,
          clock,
        });
        // Tests close some logs themselves ("crash", restart); closing twice is a no-op.
        const close = log.close;
        let closing: Promise<void> | undefined;
        log.close = () => {
          closing ??= close();
          return closing;
        };
        logs.push(log);
        return log;
      };
      /** Another data folder with a copy of this one's log.key (another server's). */
      const otherFolder = () => {
        const other = tempDir();
        dirs.push(other);
        copyFileSync(join(dir, 'log.key'), join(other, 'log.key'));
        return other;
      };
      cleanup.push(async () => {
        for (const l of logs) await l.close().catch(() => undefined);
        await db.drop();
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      });
      const log = await open();
      for (let i = 0; i < 3; i++) {
        await log.sequencer.append([record(i), record(100 + i)], 'app');
        clock.advance(1000);
      }
      return { dir, db, clock, log, open, otherFolder };
    };

    it('hands over in one batch: the event, a checkpoint signed by both keys, the history, the key files', async () => {
      const { dir, log } = await fresh();
      const old = log.signer;
      const oldText = keyText(dir);
      const before = (await log.store.head())!;
      const rotated = await rotateFolderKey(log, dir, { actor: OPERATOR, reason: 'yearly' });

      const head = (await log.store.head())!;
      assert.equal(head.size, before.size + 1, 'exactly one entry: the rotation event');
      assert.equal(rotated.seq, before.size);
      assert.equal(head.checkpoint.note, rotated.checkpoint);
      const next = signerIn(dir);
      assert.notDeepEqual(next.keyId, old.keyId);
      // Whoever trusted the old key can check the handover with it alone, and vice versa.
      for (const key of [old, next]) {
        assert.equal(
          openCheckpoint(rotated.checkpoint, [parseVerifierKey(vkey(key))]).size,
          head.size,
        );
      }
      assert.deepEqual(firstSignatureKeyId(rotated.checkpoint), next.keyId, 'new key first');

      const event = JSON.parse((await log.store.entryBySeq(rotated.seq))!.record);
      assert.equal(event.source, 'evident');
      assert.equal(event.action, 'log_key.rotate');
      assert.deepEqual(event.actor, OPERATOR);
      assert.equal(event.reason, 'yearly');
      assert.deepEqual(event.details, {
        old_verifier_key: vkey(old),
        new_verifier_key: vkey(next),
      });

      assert.equal(await log.store.getMeta('verifier_key'), vkey(next));
      const history = await readKeyHistory(log.store);
      assert.deepEqual(history, rotated.history);
      assert.deepEqual(
        keyHistoryToJson(history).map((k) => [k.key_id, k.from_size, k.until_size]),
        [
          [toHex(old.keyId), 0, head.size],
          [toHex(next.keyId), head.size, null],
        ],
      );

      const retired = `log.key.${toHex(old.keyId)}.retired`;
      assert.deepEqual(keyFiles(dir), ['log.key', retired]);
      assert.equal(keyText(dir, retired), oldText);
      assert.equal(statSync(join(dir, retired)).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'log.key')).mode & 0o777, 0o600);
    });

    it('the process that still held the old key signs later batches with the new key only', async () => {
      const { dir, log, open } = await fresh();
      const old = log.signer;
      // A second writer on the same log and folder: the "server" beside the CLI.
      const cli = await open();
      await rotateFolderKey(cli, dir, { actor: OPERATOR });
      const next = signerIn(dir);
      const result = await log.sequencer.append([record(7)], 'app');
      signedOnlyBy(result.checkpoint, next, [old]);
      assert.deepEqual(log.sequencer.currentSigner.keyId, next.keyId);
      const report = await verifyStore(log.store);
      assert.equal(report.ok, true, JSON.stringify(report.problems));
    });

    it('keeps every acknowledged checkpoint valid when a rotation lands amid concurrent appends', async () => {
      const { dir, log, open } = await fresh();
      const cli = await open();
      const appends = Array.from({ length: 40 }, (_, i) =>
        log.sequencer.append([record(1000 + i)], 'app'),
      );
      const rotation = rotateFolderKey(cli, dir, { actor: OPERATOR });
      const more = Array.from({ length: 40 }, (_, i) =>
        log.sequencer.append([record(2000 + i)], 'app'),
      );
      const [results, rotated] = await Promise.all([Promise.all([...appends, ...more]), rotation]);
      const history = await readKeyHistory(log.store);
      for (const r of results) {
        // Signed by the key of its size: a checkpoint past the handover by the new key only.
        const opened = openLogCheckpoint(r.checkpoint, history);
        if (opened.checkpoint.size > rotated.current.fromSize)
          assert.deepEqual(opened.signedBy, [history[1]]);
      }
      const report = await verifyStore(log.store);
      assert.equal(report.ok, true, JSON.stringify(report.problems));
    });

    it('a restart signs with the new key; the retired key in log.key is refused with what to do', async () => {
      const { dir, log, open, otherFolder } = await fresh();
      const old = log.signer;
      const elsewhere = otherFolder(); // still holds the old key
      await rotateFolderKey(log, dir, { actor: OPERATOR });
      await log.close();
      const restarted = await open();
      const next = signerIn(dir);
      assert.deepEqual(restarted.signer.keyId, next.keyId);
      const result = await restarted.sequencer.append([record(8)], 'app');
      signedOnlyBy(result.checkpoint, next, [old]);
      if (backend.name === 'postgresql') {
        await assert.rejects(open(elsewhere), /was retired at tree size \d+.*Rotating the log key/);
        assert.deepEqual(keyFiles(elsewhere), ['log.key'], 'no key is made for an existing log');
      }
    });

    it('finishes a rotation interrupted between its commit and installing the key file', async () => {
      const { dir, log, clock, open } = await fresh();
      const staged = stageLogKey(dir, log.origin);
      await rotateLogKey(log.store, {
        current: log.signer,
        next: staged.signer,
        actor: OPERATOR,
        clock,
        newId: ulidGenerator(),
      });
      await log.close(); // "crashed" before installLogKey
      const reopened = await open();
      assert.deepEqual(reopened.signer.keyId, staged.signer.keyId);
      assert.deepEqual(signerIn(dir).keyId, staged.signer.keyId);
      const retired = `log.key.${toHex(log.signer.keyId)}.retired`;
      assert.deepEqual(signerIn(dir, retired).keyId, log.signer.keyId);
      assert.equal(existsSync(staged.file), false);
    });

    it('refuses to rotate with a key that is not the current one, and commits nothing', async () => {
      const { log, clock } = await fresh();
      const before = (await log.store.head())!;
      const stranger = parseSignerKey(generateSignerKey(TEST_ORIGIN));
      await assert.rejects(
        rotateLogKey(log.store, {
          current: stranger,
          next: parseSignerKey(generateSignerKey(TEST_ORIGIN)),
          actor: OPERATOR,
          clock,
          newId: ulidGenerator(),
        }),
        /not by this folder's log\.key/,
      );
      assert.equal((await log.store.head())!.size, before.size);
    });

    it('verifies after two rotations, from the store alone or from any pinned key of the chain', async () => {
      const { dir, log } = await fresh();
      const k0 = log.signer;
      await rotateFolderKey(log, dir, { actor: OPERATOR });
      const k1 = signerIn(dir);
      await log.sequencer.append([record(50), record(51)], 'app');
      await rotateFolderKey(log, dir, { actor: OPERATOR });
      const k2 = signerIn(dir);
      const last = await log.sequencer.append([record(52)], 'app');
      signedOnlyBy(last.checkpoint, k2, [k0, k1]);

      const history = await readKeyHistory(log.store);
      assert.deepEqual(
        history.map((p) => p.keyId),
        [k0, k1, k2].map((k) => toHex(k.keyId)),
      );
      for (const pinned of [undefined, k0, k1, k2]) {
        const report = await verifyStore(log.store, pinned ? { verifierKey: vkey(pinned) } : {});
        assert.equal(report.ok, true, JSON.stringify(report.problems));
      }
      const stranger = parseSignerKey(generateSignerKey(TEST_ORIGIN));
      const refused = await verifyStore(log.store, { verifierKey: vkey(stranger) });
      assert.equal(refused.problems[0]?.kind, 'checkpoint_invalid');
      assert.match(refused.problems[0]!.message, /is not one of them/);
    });

    if (backend.name === 'postgresql') {
      it('a server without the new key stops signing (503) until it gets the key file', async () => {
        const { dir, log, open, otherFolder } = await fresh();
        const old = log.signer;
        const elsewhere = otherFolder();
        const server = await open(elsewhere);
        await rotateFolderKey(log, dir, { actor: OPERATOR });
        const before = (await log.store.head())!;
        await assert.rejects(
          server.sequencer.append([record(9)], 'app'),
          (e: unknown) =>
            e instanceof AppError && e.code === 'unavailable' && /was rotated to/.test(e.message),
        );
        assert.equal((await log.store.head())!.size, before.size, 'nothing appended');
        copyFileSync(join(dir, 'log.key'), join(elsewhere, 'log.key'));
        const result = await server.sequencer.append([record(9)], 'app');
        signedOnlyBy(result.checkpoint, signerIn(dir), [old]);
        assert.equal((await verifyStore(log.store)).ok, true);
      });

      it('with the next key prepared and copied first, other servers switch without a refusal', async () => {
        const { dir, log, open, otherFolder } = await fresh();
        const old = log.signer;
        const elsewhere = otherFolder();
        const server = await open(elsewhere);
        const prepared = prepareFolderKey(dir, log.origin);
        assert.throws(() => prepareFolderKey(dir, log.origin), /already prepared/);
        const name = `log.key.${toHex(prepared.signer.keyId)}.new`;
        copyFileSync(prepared.file, join(elsewhere, name));
        const rotated = await rotateFolderKey(log, dir, { actor: OPERATOR });
        assert.equal(rotated.usedPrepared, true);
        assert.deepEqual(signerIn(dir).keyId, prepared.signer.keyId);
        const result = await server.sequencer.append([record(10)], 'app');
        signedOnlyBy(result.checkpoint, prepared.signer, [old]);
        // Its restart installs the prepared key as log.key.
        await server.close();
        await open(elsewhere);
        assert.deepEqual(keyFiles(elsewhere), ['log.key', `log.key.${toHex(old.keyId)}.retired`]);
        assert.deepEqual(signerIn(elsewhere).keyId, prepared.signer.keyId);
      });
    }

    it('migrates a rotated log with its key history; the copy verifies', async () => {
      const { dir, log } = await fresh();
      await rotateFolderKey(log, dir, { actor: OPERATOR });
      await log.sequencer.append([record(60)], 'app');
      const target = tempDir();
      const copy = SqliteStore.open(join(target, 'evident.db'));
      try {
        await copyLog(log.store, copy);
        assert.equal(
          await copy.getMeta('log_key_history'),
          await log.store.getMeta('log_key_history'),
        );
        const report = await verifyStore(copy, { verifierKey: vkey(log.signer) });
        assert.equal(report.ok, true, JSON.stringify(report.problems));
      } finally {
        await copy.close();
        rmSync(target, { recursive: true, force: true });
      }
    });
  });
}

describe('verify --data after a rotation: tampering with keys (sqlite)', () => {
  const dir = tempDir();
  const scratch: string[] = [];
  after(() => {
    for (const d of [dir, ...scratch]) rmSync(d, { recursive: true, force: true });
  });
  let k0: NoteSigner;
  let handover: number;

  /** A copy of the (closed) log with `mutate` applied past the append-only triggers. */
  const tampered = async (mutate: (db: Database.Database) => void) => {
    const copy = tempDir();
    scratch.push(copy);
    copyFileSync(join(dir, 'evident.db'), join(copy, 'evident.db'));
    const db = new Database(join(copy, 'evident.db'));
    try {
      db.exec('DROP TRIGGER IF EXISTS checkpoints_no_update');
      db.transaction(() => mutate(db))();
    } finally {
      db.close();
    }
    const store = SqliteStore.open(join(copy, 'evident.db'), { readonly: true });
    try {
      return await verifyStore(store, { verifierKey: vkey(k0) });
    } finally {
      await store.close();
    }
  };

  it('builds a log with one rotation', async () => {
    const clock = new ManualClock(START_MS);
    const log = await openLog({ dataDir: dir, origin: TEST_ORIGIN, clock });
    k0 = log.signer;
    for (let i = 0; i < 4; i++) await log.sequencer.append([record(i)], 'app');
    handover = (await rotateFolderKey(log, dir, { actor: OPERATOR })).current.fromSize;
    for (let i = 0; i < 4; i++) await log.sequencer.append([record(10 + i)], 'app');
    await log.close();
    const db = new Database(join(dir, 'evident.db'));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  });

  it('a checkpoint past the handover signed by the retired key is tampering', async () => {
    const report = await tampered((db) => {
      const row = db
        .prepare('SELECT size, root_hash FROM checkpoints WHERE size > ? ORDER BY size LIMIT 1')
        .get(handover) as { size: number; root_hash: Buffer };
      const note = signCheckpoint(
        { origin: TEST_ORIGIN, size: row.size, rootHash: row.root_hash, extensions: [] },
        k0,
      );
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note, row.size);
    });
    assert.equal(report.ok, false);
    assert.equal(report.problems[0]!.kind, 'checkpoint_invalid');
    assert.match(report.problems[0]!.message, new RegExp(`signs only tree sizes 0–${handover}`));
  });

  it('a handover checkpoint stripped of the old key’s signature breaks the chain', async () => {
    const report = await tampered((db) => {
      const row = db.prepare('SELECT root_hash FROM checkpoints WHERE size = ?').get(handover) as {
        root_hash: Buffer;
      };
      const note = signCheckpoint(
        { origin: TEST_ORIGIN, size: handover, rootHash: row.root_hash, extensions: [] },
        signerIn(dir),
      );
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note, handover);
    });
    assert.equal(report.problems[0]?.kind, 'checkpoint_invalid');
    assert.match(report.problems[0]!.message, new RegExp(`tree size ${handover}\\b`));
  });

  it('a key history moved off the rotation event is caught', async () => {
    const report = await tampered((db) => {
      const text = db.prepare("SELECT value FROM meta WHERE key = 'log_key_history'").pluck().get();
      const history = JSON.parse(String(text));
      // Claim the old key kept signing one batch longer (its checkpoint is by the old key).
      history[0].until_size = handover - 1;
      history[1].from_size = handover - 1;
      db.prepare("UPDATE meta SET value = ? WHERE key = 'log_key_history'").run(
        JSON.stringify(history),
      );
    });
    assert.equal(report.ok, false);
    assert.ok(
      ['checkpoint_invalid', 'key_history'].includes(report.problems[0]!.kind),
      JSON.stringify(report.problems),
    );
  });

  it('a key history that forgets the rotation is caught', async () => {
    const report = await tampered((db) => {
      const text = db.prepare("SELECT value FROM meta WHERE key = 'log_key_history'").pluck().get();
      const [first] = JSON.parse(String(text));
      first.until_size = null;
      first.until_time = null;
      db.prepare("UPDATE meta SET value = ? WHERE key = 'log_key_history'").run(
        JSON.stringify([first]),
      );
    });
    assert.equal(report.problems[0]?.kind, 'checkpoint_invalid');
  });
});
