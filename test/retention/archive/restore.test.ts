import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPackZip } from '../../../src/evidence/pack-zip.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import {
  type ArchivedBundle,
  archiveBeforePurge,
} from '../../../src/retention/archive/before-purge.js';
import type { RecordLine } from '../../../src/retention/archive/bundle-lines.js';
import { RestoreRefused, restoreEntries } from '../../../src/retention/archive/restore-entries.js';
import { directoryTarget } from '../../../src/retention/archive/targets/directory-target.js';
import { verifyBundle } from '../../../src/retention/archive/verify-bundle.js';
import type { StoredEntry } from '../../../src/store/store.js';
import { purgePayloads } from '../../../src/store/tables/retention/purged-payloads-table.js';
import { verifyStore } from '../../../src/verify/verify-store.js';
import { tempDir } from '../../support/test-server.js';
import { type ArchiveLog, LOG_KINDS, makeArchiveLog } from './archive-log.js';

const operator = { kind: 'operator', id: 'ops' } as const;

/** archive (the purge hook) → purge → archive verify → restore, on both stores. */
for (const kind of LOG_KINDS) {
  describe(`archive before purge, then restore, on ${kind}`, () => {
    let l: ArchiveLog;
    let dir: string;
    let audit: SelfAudit;
    before(async () => {
      l = await makeArchiveLog(kind, 'evident.test/archive-restore', 12);
      dir = tempDir('evident-archive-target-');
      audit = new SelfAudit(l.log.sequencer, l.log.origin, l.clock);
    });
    after(async () => {
      await l?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    /** What the purge runner does: the hook first, then the event, then the deletion. */
    const archiveAndPurge = async (seqs: number[]): Promise<ArchivedBundle> => {
      let archived: ArchivedBundle | undefined;
      const hook = archiveBeforePurge({
        target: dir,
        store: l.log.store,
        origin: l.log.origin,
        clock: l.clock,
        onArchived: (b) => {
          archived = b;
        },
      });
      const head = (await l.log.store.head())!;
      const stored = await l.log.store.entries(0, head.size);
      const batch = stored.filter((e) => seqs.includes(e.seq));
      await hook(batch, head.checkpoint);
      const purgeSeq = await audit.record({
        principal: { kind: 'system', id: 'retention' },
        action: 'retention.purge',
        details: { policy: 'test', seqs, count: seqs.length },
      });
      await l.log.store.transaction((tx) =>
        purgePayloads(tx, { purgeSeq, seqs, atMs: l.clock.now() }),
      );
      return archived!;
    };

    it('purged payloads come back from the archive, and the whole log verifies', async () => {
      const before = await l.log.store.entries(0, 12);
      // Seq 4 is held: not in the batch, never purged.
      const archived = await archiveAndPurge([2, 3, 5, 6]);
      assert.deepEqual([archived.count, archived.firstSeq, archived.lastSeq], [4, 2, 6]);
      assert.equal(archived.location, join(dir, readdirSync(dir)[0]!));
      assert.deepEqual(
        (await l.log.store.entries(2, 7)).map((e) => e.record === ''),
        [true, true, false, true, true],
      );

      const files = readPackZip(
        await directoryTarget(dir).get(archived.location.split('/').at(-1)!),
      );
      const verdict = verifyBundle(files, l.verifierKey);
      assert.equal(verdict.ok, true, JSON.stringify(verdict.firstFailure));
      assert.deepEqual(
        verdict.entries!.map((e) => e.seq),
        [2, 3, 5, 6],
      );

      const report = await restoreEntries(audit, operator, verdict.entries!, l.clock, archived);
      assert.deepEqual(report, { restored: [2, 3, 5, 6], untouched: [] });
      assert.deepEqual(await l.log.store.entries(0, 12), before);
      const [event] = await l.log.store.search({ action: 'archive.restore', limit: 1 });
      assert.equal(JSON.parse(event!.record).details.restored, 4);
      const check = await verifyStore(l.log.store);
      assert.equal(check.ok, true, JSON.stringify(check.problems));

      // Restoring again changes nothing and records nothing.
      const again = await restoreEntries(audit, operator, verdict.entries!, l.clock, archived);
      assert.deepEqual(again, { restored: [], untouched: [2, 3, 5, 6] });
    });

    it('a payload that does not match its leaf hash is refused, and nothing is restored', async () => {
      const original = await l.log.store.entries(7, 9);
      await archiveAndPurge([7, 8]);
      const forged: RecordLine[] = original.map((e: StoredEntry) => ({
        seq: e.seq,
        leafHash: e.leafHash,
        record: e.seq === 8 ? e.record.replace('"c-8"', '"c-X"') : e.record,
      }));
      const size = (await l.log.store.head())!.size;
      await assert.rejects(
        restoreEntries(audit, operator, forged, l.clock, { sha256: 'x' }),
        (e: unknown) => e instanceof RestoreRefused && e.seq === 8,
      );
      assert.deepEqual(
        (await l.log.store.entries(7, 9)).map((e) => e.record),
        ['', ''],
        'seq 7 was not restored either',
      );
      assert.equal((await l.log.store.head())!.size, size, 'no event was appended');
      const honest = original.map((e) => ({ seq: e.seq, leafHash: e.leafHash, record: e.record }));
      const report = await restoreEntries(audit, operator, honest, l.clock, { sha256: 'x' });
      assert.deepEqual(report.restored, [7, 8]);
    });

    it('the hook refuses entries whose stored payload is gone, before writing anything', async () => {
      await archiveAndPurge([10]);
      const head = (await l.log.store.head())!;
      const [purged] = await l.log.store.entries(10, 11);
      const files = readdirSync(dir).length;
      const hook = archiveBeforePurge({ target: dir, store: l.log.store, origin: l.log.origin });
      await assert.rejects(
        hook([purged!], head.checkpoint),
        /seq 10 has no stored payload: it was purged already/,
      );
      assert.equal(readdirSync(dir).length, files);
    });
  });
}
