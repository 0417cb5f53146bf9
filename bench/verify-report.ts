/** The Verify section of BENCHMARKS.md, shared by `npm run bench` and bench/verify-main.ts. */
import type { CpuShare } from './machine.js';
import type { VerifyResult } from './verify.js';
import type { RemoteVerifyResult } from './verify-remote.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const us = (n: number) => n.toFixed(1);

export function verifyMarkdown(
  v: VerifyResult,
  target: number,
  load: CpuShare | undefined,
): string {
  const l = v.limit;
  const ratio = (n: number) => (v.entriesPerSecond / n).toFixed(2);
  const met = v.entriesPerSecond >= target;
  const others =
    load === undefined
      ? ''
      : ` Meanwhile other processes used ${load.othersCores.toFixed(2)} of the ${l.threads} cores (machine busy ${Math.round(load.machineBusy)}%, steal ${Math.round(load.steal)}%).`;
  return `## Verify

\`verify --data\` as the CLI runs it (verifyStore on a read-only store, pages of 10,000
checked on one worker thread per core, each reading through its own read-only handle, the
tree folded in order on the main thread), beside its limit measured in the same run on the
same ${int(v.entries)} rows, split the same way over ${l.threads} threads: reading every row
(raw arrays of the columns verify reads), then reading every row and taking its leaf SHA-256
(records average ${int(l.meanRecordChars)} characters).${others}

| Figure | Entries/s | Verify as a share |
| --- | --- | --- |
| Limit: read every row | ${int(l.readPerSecond)} | ${ratio(l.readPerSecond)} |
| Limit: read every row + leaf SHA-256 | ${int(l.readHashPerSecond)} | ${ratio(l.readHashPerSecond)} |
| **\`verify --data\`** | **${int(v.entriesPerSecond)}** (${int(v.entries)} entries, ${int(v.checkpoints)} checkpoints, ${int(v.nodes)} nodes in ${v.seconds.toFixed(1)} s) | target ≥ ${int(target)}: ${(v.entriesPerSecond / target).toFixed(2)}× ${met ? '✅' : '❌'} |

Per entry: ${us((v.seconds / v.entries) * 1e6)} µs wall, ${us((v.cpuSeconds / v.entries) * 1e6)} µs CPU over all threads. Beyond the
limit's work verify checks that each stored text is the canonical form of its record and
reads the column fields from it in one pass (src/verify/canonical-scan.ts), compares the 9
indexed columns, builds the tree (one more SHA-256 per entry for the interior nodes),
compares every stored node and every signed checkpoint.`;
}

/** `verify --url` on the same log, as a share of `verify --data` measured in the same run. */
export function verifyRemoteMarkdown(
  runs: readonly RemoteVerifyResult[],
  local: VerifyResult,
  load: CpuShare | undefined,
): string {
  const others =
    load === undefined
      ? ''
      : ` Meanwhile other processes used ${load.othersCores.toFixed(2)} cores (machine busy ${Math.round(load.machineBusy)}%, steal ${Math.round(load.steal)}%).`;
  const rows = runs.map(
    (r) =>
      `| **\`verify --url\`**, ${r.label} | **${int(r.entriesPerSecond)}** (${int(r.entries)} entries in ${r.seconds.toFixed(1)} s; verifier ${us((r.cpuSeconds / r.entries) * 1e6)} µs CPU per entry, server ${r.serverCores.toFixed(2)} cores) | ${(r.entriesPerSecond / local.entriesPerSecond).toFixed(2)} |`,
  );
  return `\`verify --url\` against \`evident serve\` on the same log on this machine (pages of 1,000
entries, the server's maximum; each page read is an audited read, one durable event).${others}

| Figure | Entries/s | Share of \`verify --data\` |
| --- | --- | --- |
| Limit: \`verify --data\`, same log, same run | ${int(local.entriesPerSecond)} | 1.00 |
${rows.join('\n')}`;
}
