/**
 * Before/after ingest throughput in one run: two compiled builds of Evident (say, main before
 * and after a change), each serving a fresh data folder, loaded alternately with the same
 * batched ingest (clients × 500-event arrays), so both see the same machine. Usage:
 *   node --import tsx bench/ingest-ab.ts <before/src/cli/main.js> <after/src/cli/main.js> [rounds]
 * Prints events/s per round and the after/before ratio of the medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BodyPool, IdSource } from './fixtures.js';
import { closedLoad } from './http-load.js';
import { ADMIN_TOKEN, spawnEvidentServe } from './server.js';
import { log } from './stats.js';

const [before, after, roundsText] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: bench/ingest-ab.ts <before main.js> <after main.js> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(roundsText ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_BATCH_CLIENTS ?? 4);
const EVENTS = 500;

async function run(main: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'evident-ab-'));
  const server = await spawnEvidentServe({ mode: 'compiled', main }, dir);
  try {
    const created = await fetch(`${server.url}/api/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'bench' }),
    });
    const { key } = (await created.json()) as { key: string };
    const pool = new BodyPool(2000, new IdSource());
    const result = await closedLoad({
      url: `${server.url}/api/v1/events`,
      connections: CLIENTS,
      seconds: SECONDS,
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: () => pool.array(EVENTS),
    });
    if (result.failed > 0)
      log(`${result.failed} requests failed: ${JSON.stringify(result.statuses)}`);
    return result.okPerSecond * EVENTS;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rates = { before: [] as number[], after: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first, so a drift in the machine's load does not favour one side.
  const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
  for (const side of order) {
    const rate = await run(side === 'before' ? before : after);
    rates[side].push(rate);
    log(`round ${round + 1} ${side}: ${Math.round(rate)} events/s`);
  }
}
const ratio = median(rates.after) / median(rates.before);
console.log(
  JSON.stringify({
    before: rates.before.map(Math.round),
    after: rates.after.map(Math.round),
    medianRatio: Number(ratio.toFixed(3)),
  }),
);
