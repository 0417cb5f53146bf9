/**
 * CPU-profiles the server (compiled, its own process, `--cpu-prof`) under one load and
 * prints the hot spots of every thread's profile:
 *   node --import tsx bench/profile.ts single|batch|search|proof [seconds] [entries]
 * Uses .bench-data/profile/ (a log of `entries`, default 100000, filled once and reused).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { summariseProfile } from './cpu-profile.js';
import { fill } from './fill.js';
import { BodyPool, IdSource } from './fixtures.js';
import { closedLoad } from './http-load.js';
import { watchCpu } from './machine.js';
import { QueryFactory, searchPath } from './search.js';
import { ADMIN_TOKEN, buildServer, startServerProcess } from './server.js';
import { log } from './stats.js';

const [kind = 'single', secondsText = '10', entriesText = '100000'] = process.argv.slice(2);
const seconds = Number(secondsText);
const entries = Number(entriesText);
const dir = resolve('.bench-data/profile');
const logDir = join(dir, `log-${entries}`);
const meta = join(logDir, 'bench.json');

if (!existsSync(meta)) {
  rmSync(logDir, { recursive: true, force: true });
  const f = await fill(logDir, entries);
  writeFileSync(meta, JSON.stringify(f));
}
const filled = JSON.parse(readFileSync(meta, 'utf8')) as Awaited<ReturnType<typeof fill>>;
const main = buildServer(join(dir, 'dist'));
const profileDir = join(dir, `cpu-${kind}-${Date.now()}`);
mkdirSync(profileDir, { recursive: true });
const server = await startServerProcess({
  mode: 'compiled',
  main,
  dataDir: logDir,
  cpuProfileDir: profileDir,
});
const pool = new BodyPool(20_000, new IdSource());
const ingest = { authorization: filled.ingestAuthorization, 'content-type': 'application/json' };
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const queries = new QueryFactory(filled.startMs, filled.endMs);
const url = `${server.url}/api/v1/events`;
const loads = {
  single: () =>
    closedLoad({
      url,
      connections: 64,
      seconds,
      method: 'POST',
      headers: ingest,
      body: () => pool.event(),
    }),
  batch: () =>
    closedLoad({
      url,
      connections: 8,
      seconds,
      method: 'POST',
      headers: ingest,
      body: () => pool.array(500),
    }),
  search: () =>
    closedLoad({
      url,
      connections: 1,
      seconds,
      method: 'GET',
      headers: admin,
      path: () => searchPath(queries.next('actor')),
    }),
  proof: () =>
    closedLoad({
      url,
      connections: 1,
      seconds,
      method: 'GET',
      headers: admin,
      path: () => `/api/v1/log/proof/inclusion?seq=${Math.floor(Math.random() * entries)}`,
    }),
};
const load = loads[kind as keyof typeof loads];
if (!load) throw new Error(`unknown load ${kind}; one of ${Object.keys(loads).join(', ')}`);
const cpu = watchCpu({ server: server.pid, 'load generator': process.pid });
const result = await load();
const share = cpu();
await server.stop();
log(
  `${kind}: ${Math.round(result.okPerSecond)} requests/s, p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms; ` +
    `server ${Math.round(share.processes.server ?? 0)}% of a core, others ${share.othersCores.toFixed(2)} cores`,
);
for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
  const s = summariseProfile(join(profileDir, file), 20);
  console.log(`\n${file}: sampled ${s.sampledMs.toFixed(0)} ms, idle ${s.idlePercent.toFixed(1)}%`);
  for (const h of s.self) console.log(`${h.selfPercent.toFixed(1).padStart(6)}%  ${h.name}`);
  console.log('  inclusive:');
  for (const h of s.total.slice(0, 20))
    console.log(`${h.totalPercent.toFixed(1).padStart(6)}%  ${h.name}`);
}
