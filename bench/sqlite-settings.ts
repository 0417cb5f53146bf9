/**
 * Raw SQLite at Evident's group sizes under different store settings: page size and WAL
 * checkpoint interval. Each setting gets its own database, filled in transactions of 20,000
 * to BENCH_SETTINGS_ROWS (default 300,000), then probed with transactions of the mean group
 * commit of the arrays scenario (1,336) and of the single-event scenario (21), as in the
 * quiet run. Settings alternate and repeat (BENCH_SETTINGS_ROUNDS, default 2), so a drift in
 * the machine's load does not favour one. Prints rows/s, CPU µs per row and KiB written per row.
 * Usage: node --import tsx bench/sqlite-settings.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawSqlite } from './sqlite-limit.js';
import { log, median } from './stats.js';

const ROWS = Number(process.env.BENCH_SETTINGS_ROWS ?? 300_000);
const ROUNDS = Number(process.env.BENCH_SETTINGS_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const SETTINGS = (process.env.BENCH_SETTINGS ?? '4096/250,1024/250,2048/250,4096/1000')
  .split(',')
  .map((s) => {
    const [pageSize, checkpointMs] = s.split('/').map(Number);
    return { name: s, pageSize: pageSize!, checkpointMs: checkpointMs! };
  });
const GROUPS = [1336, 21];

const results: Record<string, Record<string, number[]>> = {};
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? SETTINGS : [...SETTINGS].reverse();
  for (const setting of order) {
    const dir = mkdtempSync(join(tmpdir(), 'evident-settings-'));
    const raw = new RawSqlite(join(dir, 'raw.db'), setting);
    try {
      const filled = raw.fill(ROWS);
      const out: Record<string, number> = {
        fillRowsPerS: filled.eventsPerSecond,
        fillKiBPerRow: filled.writtenBytesPerRow / 1024,
      };
      for (const g of GROUPS) {
        const r = raw.atGroupSize(g, SECONDS);
        out[`g${g}RowsPerS`] = r.eventsPerSecond;
        out[`g${g}CpuUsPerRow`] = (r.cpuSeconds / r.rows) * 1e6;
        out[`g${g}KiBPerRow`] = r.writtenBytesPerRow / 1024;
      }
      log(`round ${round + 1} ${setting.name}: ${JSON.stringify(rounded(out))}`);
      const into = results[setting.name] ?? {};
      results[setting.name] = into;
      for (const [k, v] of Object.entries(out)) into[k] = [...(into[k] ?? []), v];
    } finally {
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
const summary: Record<string, Record<string, number>> = {};
for (const [name, r] of Object.entries(results))
  summary[name] = rounded(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])));
console.log(JSON.stringify({ rows: ROWS, rounds: ROUNDS, seconds: SECONDS, summary }));

function rounded(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}
