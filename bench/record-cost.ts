/**
 * Cost per event of the ingest hot path in the core: parse + validate + canonicalise +
 * leaf SHA-256, over 100k realistic ~400-byte events, as JSON arrays of 500, as NDJSON
 * bodies of 500, and as single-event JSON bodies. Not a test:
 *   node --import tsx bench/record-cost.ts
 */
import { hash } from 'node:crypto';
import { canonicalize } from '../src/core/canonical-json.js';
import { sha256 } from '../src/core/hash.js';
import {
  buildRecord,
  canonicalRecord,
  type EventRecord,
  parseEventsBody,
  parseSubmittedRecords,
  type SubmittedRecord,
  validateSubmittedRecord,
} from '../src/core/record/index.js';
import { prng } from './fixtures.js';

const EVENTS = 100_000;
const BATCH = 500;
const ROUNDS = 5;
const LEAF_PREFIX = new Uint8Array([0x00]);
const OPTIONS = { boundSource: 'billing-api' };
const SERVER = {
  id: '01JDQ2W3X4Y5Z6A7B8C9D0E1F2',
  received_at: '2026-11-22T09:14:03.131Z',
  source: 'billing-api',
};

const random = prng(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulid = () => `01J${Array.from({ length: 23 }, () => pick([...CROCKFORD])).join('')}`;
const hex = (n: number) => Array.from({ length: n }, () => pick([...'0123456789abcdef'])).join('');

/** A realistic event: always the common fields, the optional ones some of the time. */
function event(i: number): object {
  const customer = `c-${Math.floor(random() * 1_000_000)}`;
  const actor: Record<string, unknown> = {
    id: `u-${Math.floor(random() * 100_000)}`,
    type: 'user',
    name: pick(['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra']),
    ip: `10.${i % 256}.${(i >> 8) % 256}.7`,
  };
  if (random() < 0.5) actor.session = `s-${hex(16)}`;
  const e: Record<string, unknown> = {
    id: ulid(),
    time: new Date(Date.UTC(2026, 10, 22, 9, 14, 3) + i * 7).toISOString(),
    actor,
    action: pick(['customer.read', 'customer.update', 'invoice.export', 'user.login']),
    target: { type: 'customer', id: customer, sensitivity: 'restricted' },
    outcome: pick(['success', 'success', 'success', 'denied', 'failure']),
    category: 'data',
    request: {
      id: `req-${hex(12)}`,
      method: 'GET',
      path: `/api/customers/${customer}`,
      status: 200,
    },
    details: { fields: ['email', 'phone'], rows: 1 + Math.floor(random() * 50) },
  };
  if (random() < 0.5) e.severity = 'info';
  if (random() < 0.3) e.reason = `ticket SUP-${Math.floor(random() * 10_000)}`;
  if (random() < 0.5) e.trace_id = hex(32);
  return e;
}

const texts = Array.from({ length: EVENTS }, (_, i) => JSON.stringify(event(i)));
const averageBytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0) / EVENTS;
const arrays: string[] = [];
const ndjson: string[] = [];
for (let i = 0; i < EVENTS; i += BATCH) {
  const chunk = texts.slice(i, i + BATCH);
  arrays.push(`[${chunk.join(',')}]`);
  ndjson.push(`${chunk.join('\n')}\n`);
}

let sink = 0;

function ingest(bodies: string[], format: 'json' | 'ndjson'): void {
  for (const body of bodies) {
    for (const submitted of parseSubmittedRecords(body, format, OPTIONS)) {
      const text = canonicalRecord(buildRecord(submitted, SERVER));
      sink ^= sha256(LEAF_PREFIX, text)[0];
    }
  }
}

/** Best of ROUNDS (after one warm-up), in CPU µs per event (steadier than wall time on a shared machine). */
function measure(label: string, run: () => void): number {
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / EVENTS);
  }
  console.log(`${label.padEnd(52)} ${best.toFixed(2).padStart(6)} µs/event`);
  return best;
}

console.log(
  `node ${process.version}, ${EVENTS} events, average ${averageBytes.toFixed(0)} bytes\n`,
);
console.log('end to end (parse + validate + canonicalise + leaf SHA-256):');
measure('  JSON arrays of 500', () => ingest(arrays, 'json'));
measure('  NDJSON bodies of 500', () => ingest(ndjson, 'ndjson'));
measure('  single-event JSON bodies', () => ingest(texts, 'json'));

console.log('\nstages (single-event bodies):');
const parsed = texts.map((t) => parseEventsBody(t, 'json')[0]);
const submitted: SubmittedRecord[] = parsed.map((p) => validateSubmittedRecord(p, '$', OPTIONS));
const records: EventRecord[] = submitted.map((s) => buildRecord(s, SERVER));
const canonical = records.map((r) => canonicalRecord(r));
measure('  JSON.parse only', () => {
  for (const t of texts) sink ^= (JSON.parse(t) as { id: string }).id.length;
});
measure('  parseEventsBody (JSON.parse + duplicate/depth scan)', () => {
  for (const t of texts) sink ^= parseEventsBody(t, 'json').length;
});
measure('  validateSubmittedRecord', () => {
  for (const p of parsed) sink ^= validateSubmittedRecord(p, '$', OPTIONS).time.length;
});
measure('  buildRecord + canonicalRecord', () => {
  for (const s of submitted) sink ^= canonicalRecord(buildRecord(s, SERVER)).length;
});
measure('  generic canonicalize (for comparison)', () => {
  for (const r of records) sink ^= canonicalize(r).length;
});
measure('  leaf SHA-256', () => {
  for (const c of canonical) sink ^= sha256(LEAF_PREFIX, c)[0];
});
measure('  leaf SHA-256 via crypto.hash one-shot (for comparison)', () => {
  // U+0000 encodes as the single byte 0x00, so this is SHA-256(0x00 ‖ UTF-8(text)).
  for (const c of canonical) sink ^= hash('sha256', `\u0000${c}`, 'buffer')[0];
});
if (sink === 0.5) console.log(sink); // keep results alive
