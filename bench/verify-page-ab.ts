/**
 * A/B of one verify page's whole job (checkEntryPage: read the rows, check every entry, hash
 * the page's subtrees, compare the stored nodes) in two compiled builds, in one process,
 * alternating passes over the same rows, so both meet the same load. Reports the process CPU
 * (all threads, so the garbage collector's helpers count) per entry, which load disturbs far
 * less than the rate.
 *   node --import tsx bench/verify-page-ab.ts <base root> <new root> <data folder> [rounds]
 * A root is a checkout with a built dist/ (npx tsc -p tsconfig.build.json).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as StoreModule from '../src/store/sqlite/sqlite-store.js';
import type * as PageModule from '../src/verify/entry-page.js';

const PAGE = 10_000;
const [baseRoot, newRoot, dataDir, roundsArg] = process.argv.slice(2);
if (!baseRoot || !newRoot || !dataDir) {
  throw new Error('usage: verify-page-ab.ts <base root> <new root> <data folder> [rounds]');
}
const rounds = Number(roundsArg ?? 4);
const load = <T>(root: string, path: string) =>
  import(pathToFileURL(join(root, 'dist', path)).href) as Promise<T>;

interface Build {
  name: string;
  store: StoreModule.SqliteStore;
  checkEntryPage: typeof PageModule.checkEntryPage;
  cpuPerEntry: number[];
}

const builds: Build[] = [];
for (const [name, root] of [
  ['base', baseRoot],
  ['new', newRoot],
] as const) {
  const { SqliteStore } = await load<typeof StoreModule>(root, 'src/store/sqlite/sqlite-store.js');
  const { checkEntryPage } = await load<typeof PageModule>(root, 'src/verify/entry-page.js');
  const store = SqliteStore.open(join(dataDir, 'evident.db'), { readonly: true });
  builds.push({ name, store, checkEntryPage, cpuPerEntry: [] });
}
const entries = (await builds[0]!.store.head())?.size ?? 0;
const whole = entries - (entries % PAGE);
for (let round = 0; round < rounds; round++) {
  for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
    const cpu = process.cpuUsage();
    for (let from = 0; from < whole; from += PAGE) {
      const page = await build.checkEntryPage(build.store, from, from + PAGE);
      if (page.passed !== PAGE) throw new Error(`${build.name}: page ${from} stopped early`);
    }
    const used = process.cpuUsage(cpu);
    build.cpuPerEntry.push((used.user + used.system) / whole);
  }
}
const [base, next] = builds as [Build, Build];
console.log(
  JSON.stringify({
    entries: whole,
    cpuUsPerEntry: Object.fromEntries(builds.map((b) => [b.name, b.cpuPerEntry.map(round2)])),
    ratios: next.cpuPerEntry.map((v, i) => round2(v / base.cpuPerEntry[i]!)),
    loadAverage: loadavg().map(round2),
  }),
);
for (const build of builds) await build.store.close();

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
