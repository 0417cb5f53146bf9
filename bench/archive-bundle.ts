/**
 * Archive bundles: cut (read entries, batched inclusion proofs, build, self-verify, zip) and
 * verify offline, for one bundle of the largest size (MAX_BUNDLE_ENTRIES) from a log filled
 * through the real append path. `node --import tsx bench/archive-bundle.ts [entries]`.
 */
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackZip } from '../src/evidence/pack-zip.js';
import { openLog } from '../src/log/open-log.js';
import { MAX_BUNDLE_ENTRIES } from '../src/retention/archive/build-bundle.js';
import { bundleFromStore } from '../src/retention/archive/cut-bundle.js';
import { entriesInRange } from '../src/retention/archive/read-from-store.js';
import { verifyBundle } from '../src/retention/archive/verify-bundle.js';
import { fill } from './fill.js';

const entries = Number(process.argv[2] ?? MAX_BUNDLE_ENTRIES);
const dir = join(tmpdir(), `evident-bench-archive-${process.pid}`);
try {
  await fill(dir, entries);
  const log = await openLog({ dataDir: dir, mustExist: true });
  try {
    const head = (await log.store.head())!;
    const t0 = performance.now();
    const stored = await entriesInRange(log.store, 0, entries - 1);
    const cut = await bundleFromStore(log.store, log.origin, stored, head.checkpoint, log.clock);
    const cutSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const verdict = verifyBundle(readPackZip(cut.zip), cut.verifierKey);
    const verifySeconds = (performance.now() - t1) / 1000;
    if (!verdict.ok) throw new Error(`the bundle does not verify: ${verdict.firstFailure?.detail}`);
    console.log(
      JSON.stringify({
        entries,
        zipBytes: cut.zip.byteLength,
        bytesPerEntry: Math.round(cut.zip.byteLength / entries),
        cutSeconds: +cutSeconds.toFixed(2),
        cutEntriesPerSecond: Math.round(entries / cutSeconds),
        verifySeconds: +verifySeconds.toFixed(2),
        verifyEntriesPerSecond: Math.round(entries / verifySeconds),
        loadavg: loadavg().map((l) => +l.toFixed(2)),
      }),
    );
  } finally {
    await log.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
