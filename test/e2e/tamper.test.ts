/**
 * Tamper evidence, end to end: a log built through the real server, then an operator with
 * raw database access (triggers dropped, server stopped) rewrites history in every way we
 * can think of. `evident verify` must fail each time and say what and where.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ulid } from 'ulid';
import { canonicalize } from '../../src/core/canonical-json.js';
import { signCheckpoint } from '../../src/core/checkpoint.js';
import { EMPTY_ROOT, leafHash, MerkleFrontier, pow2 } from '../../src/core/merkle.js';
import { generateSignerKey, parseSignerKey, verifierKeyOf } from '../../src/core/note.js';
import {
  type AppendResponse,
  E2E_ADMIN_TOKEN,
  E2E_ORIGIN,
  postEvents,
  sampleEvent,
} from '../support/http.js';
import {
  type CliResult,
  checkpointWal,
  killAllChildren,
  lastLine,
  runCli,
  type ServerProcess,
  startServe,
  tamperedCopy,
  tempDir,
} from '../support/processes.js';

const BATCHES = 30;
const PER_BATCH = 10;
/** The entry most tampers aim at: one of ours, odd, mid-log. */
const K = 137;

interface EntryRow {
  seq: number;
  id: string;
  source: string;
  actor_id: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  time_ms: number;
  received_at_ms: number;
  record: string;
  leaf_hash: Buffer;
}

interface Failure {
  kind: string;
  seq: number | undefined;
  message: string;
}

/** This test counts entries exactly; the rule engine's own events are tested in test/monitor/. */
const NO_MONITOR = { EVIDENT_MONITOR: 'off' };

describe('evident verify detects tampering with a stopped data folder', () => {
  let dir: string;
  let treeSize: number;
  let checkpointSizes: number[];
  let lastAcked: AppendResponse;
  let ingestKey: string;
  const scratch: string[] = [];
  const servers: ServerProcess[] = [];

  before(async () => {
    dir = tempDir();
    const server = await startServe({
      dataDir: dir,
      adminToken: E2E_ADMIN_TOKEN,
      origin: E2E_ORIGIN,
      env: NO_MONITOR,
    });
    servers.push(server);
    // Creating a key beside a running server: the CLI appends its own audit event too.
    const keyed = await runCli(['keys', 'create', '--source', 'billing-api', '--data', dir]);
    assert.equal(keyed.code, 0, keyed.stderr);
    const key = lastLine(keyed.stdout);
    assert.match(key, /^evk_/);
    ingestKey = key;
    // Sequential batches: each is its own group commit, so the log gets many checkpoints.
    for (let b = 0; b < BATCHES; b++) {
      const events = Array.from({ length: PER_BATCH }, (_, i) => {
        const n = b * PER_BATCH + i;
        return sampleEvent(n, n % 2 === 0 ? ulid() : undefined);
      });
      const res = await postEvents(server.url, key, events);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      lastAcked = res.body as AppendResponse;
    }
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, server.output());
    checkpointWal(dir);

    const db = new Database(join(dir, 'evident.db'), { readonly: true });
    try {
      checkpointSizes = (
        db.prepare('SELECT size FROM checkpoints ORDER BY size').all() as { size: number }[]
      ).map((r) => r.size);
      treeSize = (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
    } finally {
      db.close();
    }
    assert.equal(treeSize, 1 + BATCHES * PER_BATCH, 'the key-creation event plus ours');
    assert.equal(checkpointSizes.at(-1), treeSize);
    assert.ok(checkpointSizes.length > BATCHES, `checkpoints: ${checkpointSizes.length}`);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await killAllChildren();
    for (const d of [dir, ...scratch]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const tampered = (mutate: (db: Database.Database) => void): string => {
    const copy = tamperedCopy(dir, mutate);
    scratch.push(copy);
    return copy;
  };

  const verify = (args: string[]) => runCli(['verify', ...args]);

  /** Asserts the documented failure shape: exit 2, `FAILED[ at seq N]: … [kind]` on stderr. */
  const failure = (result: CliResult): Failure => {
    assert.equal(result.code, 2, `exit code\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.doesNotMatch(result.stdout, /^OK:/m);
    const match = /^FAILED(?: at seq (\d+))?: (.*) \[([a-z_]+)\]$/m.exec(result.stderr);
    assert.ok(match, `no FAILED line on stderr: ${result.stderr}`);
    return {
      seq: match[1] === undefined ? undefined : Number(match[1]),
      message: match[2]!,
      kind: match[3]!,
    };
  };

  const expectFailure = async (
    copy: string,
    kind: string,
    seq?: number,
    extra: string[] = [],
  ): Promise<Failure> => {
    const f = failure(await verify(['--data', copy, ...extra]));
    assert.equal(f.kind, kind, f.message);
    assert.equal(f.seq, seq, f.message);
    return f;
  };

  /** A node failure names the subtree; the tampered leaf must lie inside it. */
  const assertNodeCovers = (f: Failure, seq: number) => {
    const at = /level (\d+) index (\d+)/.exec(f.message);
    assert.ok(at, f.message);
    const level = Number(at[1]);
    const first = Number(at[2]) * pow2(level);
    assert.equal(f.seq, first, f.message);
    assert.ok(first <= seq && seq < first + pow2(level), `${seq} not under ${f.message}`);
  };

  const row = (db: Database.Database, seq: number) =>
    db.prepare('SELECT * FROM entries WHERE seq = ?').get(seq) as EntryRow;

  /** The record of `r` with its actor renamed, in canonical form. */
  const withActor = (r: EntryRow, actorId: string): string => {
    const record = JSON.parse(r.record) as { actor: { id: string } };
    record.actor.id = actorId;
    return canonicalize(record);
  };

  /**
   * Rewrites history "properly": the record of `seq`, its leaf hash and columns, every tree
   * node, and (with `signer`) every checkpoint re-signed over the new roots.
   */
  const rewriteHistory = (db: Database.Database, seq: number, signerKey?: string) => {
    const target = row(db, seq);
    const record = withActor(target, 'mallory');
    db.prepare('UPDATE entries SET record = ?, leaf_hash = ?, actor_id = ? WHERE seq = ?').run(
      record,
      leafHash(record),
      'mallory',
      seq,
    );
    const leaves = db
      .prepare('SELECT leaf_hash FROM entries ORDER BY seq')
      .pluck()
      .all() as Buffer[];
    const frontier = MerkleFrontier.empty();
    const setNode = db.prepare('UPDATE tree_nodes SET hash = ? WHERE level = ? AND idx = ?');
    const roots = new Map<number, Uint8Array>([[0, EMPTY_ROOT]]);
    for (const leaf of leaves) {
      for (const n of frontier.append(leaf)) setNode.run(n.hash, n.level, n.index);
      roots.set(frontier.size, frontier.root());
    }
    if (signerKey === undefined) return;
    const signer = parseSignerKey(signerKey);
    const setCheckpoint = db.prepare(
      'UPDATE checkpoints SET root_hash = ?, note = ? WHERE size = ?',
    );
    for (const size of checkpointSizes) {
      const rootHash = roots.get(size)!;
      const note = signCheckpoint({ origin: E2E_ORIGIN, size, rootHash, extensions: [] }, signer);
      setCheckpoint.run(rootHash, note, size);
    }
    db.prepare("UPDATE meta SET value = ? WHERE key = 'verifier_key'").run(
      verifierKeyOf(signerKey),
    );
  };

  it('the untouched log verifies', async () => {
    const result = await verify(['--data', dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^OK: ${treeSize} entries, ${checkpointSizes.length} signed checkpoint`, 'm'),
    );
  });

  it('(a) an edited record: the leaf no longer matches, at that seq', async () => {
    const copy = tampered((db) => {
      const r = row(db, K);
      db.prepare('UPDATE entries SET record = ? WHERE seq = ?').run(withActor(r, 'mallory'), K);
    });
    await expectFailure(copy, 'leaf_mismatch', K);
  });

  it('(a′) a record edited in place without re-canonicalising: still caught at that seq', async () => {
    const copy = tampered((db) => {
      db.prepare(
        'UPDATE entries SET record = replace(record, \'"outcome":\', \' "outcome":\') WHERE seq = ?',
      ).run(K);
    });
    await expectFailure(copy, 'leaf_mismatch', K);
  });

  it('(b) a record and its leaf hash (and columns) changed together: the tree node above it differs', async () => {
    const copy = tampered((db) => {
      const record = withActor(row(db, K), 'mallory');
      db.prepare('UPDATE entries SET record = ?, leaf_hash = ?, actor_id = ? WHERE seq = ?').run(
        record,
        leafHash(record),
        'mallory',
        K,
      );
    });
    const f = await expectFailure(copy, 'node_mismatch', K - 1);
    assertNodeCovers(f, K);
  });

  it('(b″) record and leaf hash changed together, columns left alone: the row contradicts its record', async () => {
    const copy = tampered((db) => {
      const record = withActor(row(db, K), 'mallory');
      db.prepare('UPDATE entries SET record = ?, leaf_hash = ? WHERE seq = ?').run(
        record,
        leafHash(record),
        K,
      );
    });
    const f = await expectFailure(copy, 'record_invalid', K);
    assert.match(f.message, /actor_id/);
  });

  it('(b′) record, leaf and every tree node rewritten: the signed checkpoints still catch it', async () => {
    const copy = tampered((db) => rewriteHistory(db, K));
    const firstCovering = checkpointSizes.find((size) => size > K)!;
    const f = await expectFailure(copy, 'checkpoint_mismatch', firstCovering - 1);
    assert.match(f.message, new RegExp(`tree size ${firstCovering}\\b`));
  });

  it('(c) a deleted entry: named as missing at its seq', async () => {
    const copy = tampered((db) => {
      db.prepare('DELETE FROM entries WHERE seq = ?').run(K);
    });
    await expectFailure(copy, 'entry_missing', K);
  });

  it('(d) two rows with record and leaf hash swapped: the first row contradicts its record', async () => {
    const J = 50;
    const copy = tampered((db) => {
      const a = row(db, J);
      const b = row(db, K);
      const set = db.prepare('UPDATE entries SET record = ?, leaf_hash = ? WHERE seq = ?');
      set.run(b.record, b.leaf_hash, J);
      set.run(a.record, a.leaf_hash, K);
    });
    const f = await expectFailure(copy, 'record_invalid', J);
    assert.match(f.message, /column id/);
  });

  it('(d′) two whole rows swapped (every column): the tree catches the reordering at the first', async () => {
    const J = 50;
    const copy = tampered((db) => {
      const a = row(db, J);
      const b = row(db, K);
      db.prepare('DELETE FROM entries WHERE seq IN (?, ?)').run(J, K);
      const insert = db.prepare(
        `INSERT INTO entries (seq, id, source, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms, record, leaf_hash)
         VALUES (@seq, @id, @source, @actor_id, @action, @target_type, @target_id, @outcome, @time_ms, @received_at_ms, @record, @leaf_hash)`,
      );
      insert.run({ ...b, seq: J });
      insert.run({ ...a, seq: K });
    });
    const f = failure(await verify(['--data', copy]));
    if (f.kind === 'node_mismatch') assertNodeCovers(f, J);
    else {
      assert.equal(f.kind, 'checkpoint_mismatch', f.message);
      assert.ok(f.seq !== undefined && f.seq >= J && f.seq < K, f.message);
    }
  });

  it('(e) a truncated log (last entries deleted): names where the log now ends', async () => {
    const N = 25;
    const copy = tampered((db) => {
      db.prepare('DELETE FROM entries WHERE seq >= ?').run(treeSize - N);
    });
    const f = await expectFailure(copy, 'entry_missing', treeSize - N);
    assert.match(f.message, /truncated/);
  });

  it('(e′) an entry appended behind the log’s back (no checkpoint covers it)', async () => {
    const copy = tampered((db) => {
      const last = row(db, treeSize - 1);
      const record = JSON.parse(last.record) as { id: string };
      record.id = ulid();
      const text = canonicalize(record);
      db.prepare(
        `INSERT INTO entries (seq, id, source, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms, record, leaf_hash)
         VALUES (@seq, @id, @source, @actor_id, @action, @target_type, @target_id, @outcome, @time_ms, @received_at_ms, @record, @leaf_hash)`,
      ).run({ ...last, seq: treeSize, id: record.id, record: text, leaf_hash: leafHash(text) });
    });
    await expectFailure(copy, 'entry_extra', treeSize);
  });

  it('(f) a checkpoint re-signed by another key with the same origin: names its tree size', async () => {
    const size = checkpointSizes[Math.floor(checkpointSizes.length / 2)]!;
    const copy = tampered((db) => {
      const cp = db.prepare('SELECT root_hash FROM checkpoints WHERE size = ?').get(size) as {
        root_hash: Buffer;
      };
      const note = signCheckpoint(
        { origin: E2E_ORIGIN, size, rootHash: cp.root_hash, extensions: [] },
        parseSignerKey(generateSignerKey(E2E_ORIGIN)),
      );
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(note, size);
    });
    const f = await expectFailure(copy, 'checkpoint_invalid');
    assert.match(f.message, new RegExp(`tree size ${size}\\b`));
  });

  it('(f′) all of history re-signed by a forger who also swapped the stated key: pinning the real key catches it', async () => {
    const copy = tampered((db) => rewriteHistory(db, K, generateSignerKey(E2E_ORIGIN)));
    const realKey = readVerifierKey(dir);
    await expectFailure(copy, 'checkpoint_invalid', undefined, ['--key', realKey]);
    // Unpinned, the forgery is self-consistent; the CLI must at least say it trusted the log's own key.
    const unpinned = await verify(['--data', copy]);
    if (unpinned.code === 0) assert.match(unpinned.stdout, /Pin the published key with --key/);
  });

  it('(g) an indexed column (actor_id) changed without the record: the row contradicts its record', async () => {
    const copy = tampered((db) => {
      db.prepare("UPDATE entries SET actor_id = 'someone-else' WHERE seq = ?").run(K);
    });
    const f = await expectFailure(copy, 'record_invalid', K);
    assert.match(f.message, /actor_id/);
    assert.match(f.message, /someone-else/);
  });

  it('(h) an altered tree node: names the subtree and its first leaf', async () => {
    const copy = tampered((db) => {
      db.prepare('UPDATE tree_nodes SET hash = ? WHERE level = 3 AND idx = 5').run(
        Buffer.alloc(32, 7),
      );
    });
    const f = await expectFailure(copy, 'node_mismatch', 5 * 8);
    assert.match(f.message, /level 3 index 5\b/);
  });

  it('(h′) a deleted tree node is missing; a forged extra node is extra', async () => {
    const missing = tampered((db) => {
      db.prepare('DELETE FROM tree_nodes WHERE level = 2 AND idx = 10').run();
    });
    const f = await expectFailure(missing, 'node_missing', 40);
    assert.match(f.message, /level 2 index 10\b/);
    const extra = tampered((db) => {
      db.prepare('INSERT INTO tree_nodes (level, idx, hash) VALUES (1, 100000, ?)').run(
        Buffer.alloc(32, 1),
      );
    });
    await expectFailure(extra, 'node_extra');
  });

  it('verify --key with a different verifier key fails; a malformed key is named as such', async () => {
    const other = verifierKeyOf(generateSignerKey(E2E_ORIGIN));
    await expectFailure(dir, 'checkpoint_invalid', undefined, ['--key', other]);
    await expectFailure(dir, 'bad_verifier_key', undefined, ['--key', 'not-a-key']);
    const ok = await verify(['--data', dir, '--key', readVerifierKey(dir)]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.doesNotMatch(ok.stdout, /Pin the published key/);
  });

  it('verify --url against a server on a tampered copy fails and names the entry', async () => {
    const copy = tampered((db) => {
      db.prepare('UPDATE entries SET record = ? WHERE seq = ?').run(
        withActor(row(db, K), 'mallory'),
        K,
      );
    });
    const server = await startServe({
      dataDir: copy,
      adminToken: E2E_ADMIN_TOKEN,
      env: NO_MONITOR,
    });
    servers.push(server);
    const f = failure(await verify(['--url', server.url, '--token', E2E_ADMIN_TOKEN]));
    assert.equal(f.kind, 'leaf_mismatch', f.message);
    assert.equal(f.seq, K);

    const consistent = tampered((db) => {
      const record = withActor(row(db, K), 'mallory');
      db.prepare('UPDATE entries SET record = ?, leaf_hash = ?, actor_id = ? WHERE seq = ?').run(
        record,
        leafHash(record),
        'mallory',
        K,
      );
    });
    const second = await startServe({
      dataDir: consistent,
      adminToken: E2E_ADMIN_TOKEN,
      env: NO_MONITOR,
    });
    servers.push(second);
    const g = failure(await verify(['--url', second.url, '--token', E2E_ADMIN_TOKEN]));
    assert.equal(g.kind, 'checkpoint_mismatch', g.message);
    await Promise.all([server.stop(), second.stop()]);
  });

  it('a rolled-back log (entries, nodes and checkpoints cut consistently) fails against a checkpoint the client kept', async () => {
    const saved = join(tempDir(), 'checkpoint.txt');
    scratch.push(join(saved, '..'));
    writeFileSync(saved, lastAcked.checkpoint);
    const cut = checkpointSizes[checkpointSizes.length - 5]!;
    const copy = tampered((db) => {
      db.prepare('DELETE FROM entries WHERE seq >= ?').run(cut);
      db.prepare('DELETE FROM checkpoints WHERE size > ?').run(cut);
      const doomed = db.prepare('SELECT level, idx FROM tree_nodes').all() as {
        level: number;
        idx: number;
      }[];
      const remove = db.prepare('DELETE FROM tree_nodes WHERE level = ? AND idx = ?');
      for (const n of doomed) if ((n.idx + 1) * pow2(n.level) > cut) remove.run(n.level, n.idx);
    });
    const server = await startServe({
      dataDir: copy,
      adminToken: E2E_ADMIN_TOKEN,
      env: NO_MONITOR,
    });
    servers.push(server);
    const proof = await runCli([
      'proof',
      '--since',
      saved,
      '--url',
      server.url,
      '--token',
      E2E_ADMIN_TOKEN,
    ]);
    assert.notEqual(proof.code, 0, `${proof.stdout}\n${proof.stderr}`);
    assert.doesNotMatch(proof.stderr, /Verified/);

    // The rolled-back log grows past the kept checkpoint again: a fork, which no consistency
    // proof can bridge.
    const regrow = Array.from({ length: treeSize - cut + 20 }, (_, i) => sampleEvent(1000 + i));
    const grown = await postEvents(server.url, ingestKey, regrow);
    assert.equal(grown.status, 201, JSON.stringify(grown.body));
    const fork = await runCli([
      'proof',
      '--since',
      saved,
      '--url',
      server.url,
      '--token',
      E2E_ADMIN_TOKEN,
    ]);
    assert.notEqual(fork.code, 0, `${fork.stdout}\n${fork.stderr}`);
    assert.doesNotMatch(fork.stderr, /Verified/);
    assert.match(fork.stderr, /^evident: /m);
    await server.stop();
  });
});

function readVerifierKey(dir: string): string {
  const db = new Database(join(dir, 'evident.db'), { readonly: true });
  try {
    return db.prepare("SELECT value FROM meta WHERE key = 'verifier_key'").pluck().get() as string;
  } finally {
    db.close();
  }
}
