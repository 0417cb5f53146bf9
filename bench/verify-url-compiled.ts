/**
 * `verify --url` before and after pages went ahead on worker threads, in compiled code (what
 * users run: through tsx a worker thread also compiles its modules when it starts), alternately
 * against one compiled `evident serve`, beside `verify --data` on the same log:
 *   BENCH_VERIFY_DATA  a filled data folder (bench/fill.ts); its log gains one audit event
 *                      per page read
 *   BENCH_ROUNDS       alternating rounds (default 2)
 * Prints one JSON line per run. Builds src/ into .bench-data/verify-dist first.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ClientModule from '../src/client/api-client.js';
import type * as OpenStoreModule from '../src/store/open-store.js';
import type * as RemoteModule from '../src/verify/verify-remote.js';
import type * as StoreModule from '../src/verify/verify-store.js';
import { watchCpu } from './machine.js';
import { ADMIN_TOKEN, buildServer, spawnEvidentServe } from './server.js';
import { log } from './stats.js';

const dir = process.env.BENCH_VERIFY_DATA;
if (!dir) throw new Error('set BENCH_VERIFY_DATA to a filled data folder');
const rounds = Number(process.env.BENCH_ROUNDS || 2);
const outDir = resolve('.bench-data/verify-dist');
const main = buildServer(outDir);
const load = <T>(path: string) => import(pathToFileURL(resolve(outDir, path)).href) as Promise<T>;
const { ApiClient } = await load<typeof ClientModule>('src/client/api-client.js');
const { openStore } = await load<typeof OpenStoreModule>('src/store/open-store.js');
const { verifyRemote } = await load<typeof RemoteModule>('src/verify/verify-remote.js');
const { verifyStore } = await load<typeof StoreModule>('src/verify/verify-store.js');

const timed = async (name: string, pids: Record<string, number>, run: () => Promise<number>) => {
  const cpu = watchCpu({ bench: process.pid, ...pids });
  const used = process.cpuUsage();
  const start = performance.now();
  const entries = await run();
  const seconds = (performance.now() - start) / 1000;
  const u = process.cpuUsage(used);
  const share = cpu();
  const line = {
    run: name,
    entries,
    seconds,
    entriesPerSecond: entries / seconds,
    verifierCpuUsPerEntry: (u.user + u.system) / entries,
    verifierCores: (share.processes.bench ?? 0) / 100,
    serverCores: (share.processes.server ?? 0) / 100,
    othersCores: share.othersCores,
  };
  log(JSON.stringify(line));
  console.log(JSON.stringify(line));
};

const store = await openStore({ dataDir: dir }, { readonly: true });
try {
  await timed('verify --data', {}, async () => {
    const report = await verifyStore(store, { location: { dataDir: dir } });
    if (!report.ok) throw new Error(JSON.stringify(report.problems[0]));
    return report.entriesChecked;
  });
} finally {
  await store.close();
}
const server = await spawnEvidentServe({ mode: 'compiled', main }, dir);
try {
  const ways = [
    ['verify --url before: one page at a time, main thread', { threads: 0, ahead: 1 }],
    ['verify --url after: as the CLI runs it', {}],
  ] as const;
  for (let round = 0; round < rounds; round++) {
    for (const [name, mode] of ways) {
      await timed(name, { server: server.pid }, async () => {
        const report = await verifyRemote(
          new ApiClient({ baseUrl: server.url, token: ADMIN_TOKEN }),
          {
            connection: { baseUrl: server.url, token: ADMIN_TOKEN },
            ...mode,
          },
        );
        if (!report.ok) throw new Error(JSON.stringify(report.problems[0]));
        return report.entriesChecked;
      });
    }
  }
} finally {
  await server.stop();
}
