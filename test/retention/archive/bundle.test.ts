import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fromUtf8, utf8 } from '../../../src/core/bytes.js';
import { readPackZip } from '../../../src/evidence/pack-zip.js';
import { META_VERIFIER_KEY } from '../../../src/log/init-log.js';
import { rotateFolderKey } from '../../../src/log/rotate-folder-key.js';
import {
  CHECKPOINT_FILE,
  MANIFEST_FILE,
  PROOFS_FILE,
  RECORDS_FILE,
} from '../../../src/retention/archive/bundle-layout.js';
import { bundleFromStore, type CutBundle } from '../../../src/retention/archive/cut-bundle.js';
import { entriesInRange } from '../../../src/retention/archive/read-from-store.js';
import { verifyBundle } from '../../../src/retention/archive/verify-bundle.js';
import { type ArchiveLog, appendEvents, LOG_KINDS, makeArchiveLog } from './archive-log.js';

/** Bundles cut from a real log verify offline; any changed byte is caught and named. */
for (const kind of LOG_KINDS) {
  describe(`archive bundle on ${kind}`, () => {
    let a: ArchiveLog;
    let b: ArchiveLog;
    let cut: CutBundle;
    let files: Map<string, Uint8Array>;

    before(async () => {
      a = await makeArchiveLog(kind, 'evident.test/archive-a', 12);
      b = await makeArchiveLog(kind, 'evident.test/archive-b', 12);
      cut = await cutRange(a, 3, 9);
      files = readPackZip(cut.zip);
    });
    after(async () => {
      await a?.dispose();
      await b?.dispose();
    });

    it('round trip: the records, seqs and leaf hashes come back verified against the checkpoint', async () => {
      const verdict = verifyBundle(files, a.verifierKey);
      assert.equal(verdict.ok, true, JSON.stringify(verdict.firstFailure));
      assert.equal(verdict.verified, 7);
      assert.equal(verdict.origin, 'evident.test/archive-a');
      const stored = await a.log.store.entries(3, 10);
      assert.deepEqual(
        verdict.entries!.map((e) => [e.seq, e.record, Buffer.from(e.leafHash).toString('hex')]),
        stored.map((e) => [e.seq, e.record, Buffer.from(e.leafHash).toString('hex')]),
      );
      assert.equal(cut.manifest.checkpoint.tree_size, (await a.log.store.head())!.size);
      assert.deepEqual(cut.manifest.entries, { count: 7, first_seq: 3, last_seq: 9 });
      assert.equal(
        cut.name,
        `archive-000000000003-000000000009-t${cut.manifest.checkpoint.tree_size}.zip`,
      );
    });

    it('a flipped byte in a record is named by its seq', () => {
      const changed = edit(files, RECORDS_FILE, (text) => {
        const lines = text.split('\n');
        lines[2] = lines[2]!.replace('"c-5"', '"c-6"');
        return lines.join('\n');
      });
      const verdict = verifyBundle(changed, a.verifierKey);
      assert.equal(verdict.ok, false);
      assert.deepEqual(verdict.firstFailure, {
        subject: 'records.ndjson (seq 5)',
        ok: false,
        detail: 'does not match its leaf hash: the record was changed',
      });
      assert.equal(verdict.failed, 1);
    });

    it('a flipped byte in a proof is named by its seq', () => {
      const changed = edit(files, PROOFS_FILE, (text) => {
        const lines = text.split('\n');
        const proof = JSON.parse(lines[4]!) as { inclusion: string[]; seq: number };
        const bytes = Buffer.from(proof.inclusion[0]!, 'base64');
        bytes[0] = bytes[0]! ^ 1;
        proof.inclusion[0] = bytes.toString('base64');
        lines[4] = JSON.stringify({ inclusion: proof.inclusion, seq: proof.seq });
        return lines.join('\n');
      });
      const verdict = verifyBundle(changed, a.verifierKey);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstFailure?.subject, 'proofs.ndjson (seq 7)');
      assert.match(verdict.firstFailure!.detail, /does not prove the leaf in the checkpoint/);
    });

    it('a flipped byte in the checkpoint is named', () => {
      const changed = edit(files, CHECKPOINT_FILE, (text) => {
        const lines = text.split('\n');
        lines[1] = String(Number(lines[1]) - 1);
        return lines.join('\n');
      });
      const verdict = verifyBundle(changed, a.verifierKey);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstFailure?.subject, CHECKPOINT_FILE);
      assert.match(verdict.firstFailure!.detail, /not a checkpoint signed by the trusted key/);
    });

    it('a bundle from another log is refused, even with its manifest edited to this origin', async () => {
      const other = readPackZip((await cutRange(b, 3, 9)).zip);
      const verdict = verifyBundle(other, a.verifierKey);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstFailure?.subject, MANIFEST_FILE);
      assert.match(
        verdict.firstFailure!.detail,
        /is for the log "evident.test\/archive-b".*another log/,
      );
      const disguised = edit(other, MANIFEST_FILE, (t) => t.replace('archive-b', 'archive-a'));
      const again = verifyBundle(disguised, a.verifierKey);
      assert.equal(again.ok, false);
      assert.equal(again.firstFailure?.subject, 'keys.json');
    });

    it('a changed manifest or an extra file is named', () => {
      const manifest = edit(files, MANIFEST_FILE, (t) => t.replace('"count": 7', '"count": 6'));
      assert.match(verifyBundle(manifest, a.verifierKey).firstFailure!.detail, /lists 6 entries/);
      const extra = new Map(files).set('notes.txt', utf8('hello'));
      assert.equal(verifyBundle(extra, a.verifierKey).firstFailure?.subject, 'notes.txt');
      const missing = new Map(files);
      missing.delete(PROOFS_FILE);
      assert.equal(verifyBundle(missing, a.verifierKey).firstFailure?.subject, PROOFS_FILE);
    });

    it('after a key rotation, a bundle verifies with the old key (it chains) and the new one', async () => {
      const l = await makeArchiveLog(kind, 'evident.test/archive-rotated', 6);
      try {
        const oldKey = l.verifierKey;
        await rotateFolderKey(l.log, l.dataDir, { actor: { id: 'ops', type: 'operator' } });
        await appendEvents(l.log, l.clock, 2);
        const newKey = (await l.log.store.getMeta(META_VERIFIER_KEY))!;
        assert.notEqual(newKey, oldKey);
        const rotated = readPackZip((await cutRange(l, 1, 7)).zip);
        for (const key of [oldKey, newKey]) {
          const verdict = verifyBundle(rotated, key);
          assert.equal(verdict.ok, true, JSON.stringify(verdict.firstFailure));
        }
        assert.match(
          verifyBundle(rotated, oldKey).checks.find((c) => c.subject === 'keys.json')!.detail,
          /\(2 key\(s\)\)/,
        );
      } finally {
        await l.dispose();
      }
    });

    it('a line edited without changing its meaning is still caught (canonical form)', () => {
      const spaced = edit(files, RECORDS_FILE, (t) => t.replace('{"leaf_hash"', '{ "leaf_hash"'));
      const verdict = verifyBundle(spaced, a.verifierKey);
      assert.equal(verdict.firstFailure?.subject, 'records.ndjson (line 1, seq 3)');
      assert.match(verdict.firstFailure!.detail, /canonical form/);
    });
  });
}

async function cutRange(l: ArchiveLog, first: number, last: number): Promise<CutBundle> {
  const head = (await l.log.store.head())!;
  const entries = await entriesInRange(l.log.store, first, last);
  return bundleFromStore(l.log.store, l.log.origin, entries, head.checkpoint, l.clock);
}

function edit(
  files: ReadonlyMap<string, Uint8Array>,
  name: string,
  change: (text: string) => string,
): Map<string, Uint8Array> {
  const copy = new Map(files);
  copy.set(name, utf8(change(fromUtf8(files.get(name)!))));
  return copy;
}
