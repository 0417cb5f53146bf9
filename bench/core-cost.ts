/**
 * CPU cost per record of the ingest path's pure part, on the same events the HTTP scenarios
 * send: JSON.parse, the body checks + validation, the canonical (RFC 8785) record, and the
 * leaf SHA-256. Best of a few rounds, in µs per record. (bench/record-cost.ts breaks the
 * stages down further on its own events.)
 */
import { leafHash } from '../src/core/merkle.js';
import { buildRecord, canonicalRecord } from '../src/core/record/canonical.js';
import { parseSubmittedRecords } from '../src/core/record/parse-body.js';
import type { SubmittedRecord } from '../src/core/record/types.js';
import { BodyPool, IdSource } from './fixtures.js';

const EVENTS = 20_000;
const BATCH = 500;
const ROUNDS = 4;
const OPTIONS = { boundSource: 'bench-api' };
const SERVER = { id: '', received_at: '2026-11-22T09:14:03.131Z', source: 'bench-api' };

export interface CoreCostResult {
  events: number;
  averageEventBytes: number;
  /** µs per record. */
  jsonParse: number;
  parseAndValidate: number;
  canonical: number;
  leafHash: number;
  /** parse + validate + canonicalise + hash, bodies of 500. */
  endToEndBatch: number;
  /** The same, one event per body. */
  endToEndSingle: number;
}

export function coreCost(): CoreCostResult {
  const pool = new BodyPool(EVENTS, new IdSource(5));
  const arrays = Array.from({ length: EVENTS / BATCH }, () => pool.array(BATCH));
  const singles = Array.from({ length: EVENTS }, () => pool.event());
  const submitted: SubmittedRecord[] = arrays.flatMap((a) =>
    parseSubmittedRecords(a, 'json', OPTIONS),
  );
  const texts = submitted.map((s) => canonicalRecord(buildRecord(s, SERVER)));
  let sink = 0;
  const ingest = (bodies: string[]) => {
    for (const body of bodies) {
      for (const s of parseSubmittedRecords(body, 'json', OPTIONS)) {
        sink ^= leafHash(canonicalRecord(buildRecord(s, SERVER)))[0]!;
      }
    }
  };
  const result: CoreCostResult = {
    events: EVENTS,
    averageEventBytes: pool.averageEventBytes,
    jsonParse: best(() => {
      for (const a of arrays) sink ^= (JSON.parse(a) as unknown[]).length;
    }),
    parseAndValidate: best(() => {
      for (const a of arrays) sink ^= parseSubmittedRecords(a, 'json', OPTIONS).length;
    }),
    canonical: best(() => {
      for (const s of submitted) sink ^= canonicalRecord(buildRecord(s, SERVER)).length;
    }),
    leafHash: best(() => {
      for (const t of texts) sink ^= leafHash(t)[0]!;
    }),
    endToEndBatch: best(() => ingest(arrays)),
    endToEndSingle: best(() => ingest(singles)),
  };
  if (sink === 0.5) console.log(sink); // keeps the work observable
  return result;
}

/** Best of ROUNDS after one warm-up, in µs per event. */
function best(run: () => void): number {
  run();
  let fastest = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return (fastest * 1000) / EVENTS;
}
