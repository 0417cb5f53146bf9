/**
 * The log's side of tlog-witness against in-process witnesses: a witness that is behind
 * (it remembers an older size) is caught up by a consistency proof from that size after the
 * 409 that states it; cosignatures are stored and served; a witness that is ahead of the
 * log (the log was rolled back) is reported, and nothing is stored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ulid } from 'ulid';
import { checkCosignatures, parseWitnessPolicy } from '../../src/core/witness-policy.js';
import { WitnessSubmitter } from '../../src/log/witness-submitter.js';
import { systemClock } from '../../src/util/clock.js';
import { Witness } from '../../src/witness/witness.js';
import { parseWitnessConfig } from '../../src/witness/witness-config.js';
import { loadOrCreateWitnessKey } from '../../src/witness/witness-key.js';
import { buildWitnessApp } from '../../src/witness/witness-server.js';
import { WitnessState } from '../../src/witness/witness-state.js';
import { sampleEvent } from '../support/http.js';
import { type TestServer, testServer } from '../support/test-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function witnessFor(t: TestServer, name: string) {
  const dir = mkdtempSync(join(tmpdir(), 'evident-submit-'));
  const { key } = loadOrCreateWitnessKey(join(dir, 'witness.key'), name);
  const state = new WitnessState(join(dir, 'witness.db'));
  const vkey = (await t.app.inject({ method: 'GET', url: '/api/v1/log', headers: t.admin })).json()
    .verifier_key;
  const witness = new Witness({
    key,
    logs: parseWitnessConfig(`log ${vkey}\n`),
    state,
    clock: systemClock,
    rateLimit: { capacity: 100, refillMs: 1 },
  });
  const app = buildWitnessApp(witness, key.verifierKey);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  cleanups.push(async () => {
    await app.close();
    state.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const policy = parseWitnessPolicy(`witness ${key.verifierKey} ${url}\nquorum 1\n`);
  return { state, policy, target: { ...policy.witnesses[0]!, url } };
}

async function ingest(t: TestServer, count: number): Promise<void> {
  const key = await t.ingestKey(`app-${ulid()}`);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...key, 'content-type': 'application/json' },
    payload: JSON.stringify(Array.from({ length: count }, (_, i) => sampleEvent(i, ulid()))),
  });
  assert.equal(res.statusCode, 201, res.body);
}

describe('WitnessSubmitter', () => {
  test('catches up a witness that is behind from the size it states, and serves the cosignature', async () => {
    const t = await testServer();
    cleanups.push(() => t.close());
    await ingest(t, 5);
    const w = await witnessFor(t, 'w.test/behind');
    const problems: string[] = [];
    const options = {
      store: t.log.store,
      witnesses: [w.target],
      clock: systemClock,
      onProblem: (p: { message: string }) => problems.push(p.message),
    };
    await new WitnessSubmitter(options).submitAll();
    const first = w.state.head(t.log.origin)!.size;
    assert.equal(first, (await t.log.store.head())!.size);

    await ingest(t, 7);
    // A fresh submitter (a restarted log) does not know the witness's size: old 0, then 409.
    const submitter = new WitnessSubmitter(options);
    await submitter.submitAll();
    const head = (await t.log.store.head())!;
    assert.ok(head.size > first);
    assert.equal(w.state.head(t.log.origin)!.size, head.size);
    assert.deepEqual(submitter.status(), [
      { name: 'w.test/behind', size: head.size, lastError: undefined },
    ]);
    assert.deepEqual(problems, []);

    const served = (
      await t.app.inject({ method: 'GET', url: '/api/v1/log/checkpoint', headers: t.admin })
    ).body;
    const verdict = checkCosignatures(served, w.policy);
    assert.deepEqual([verdict.ok, verdict.signed], [true, ['w.test/behind']]);
    assert.equal((await t.log.store.cosignatures(head.size)).length, 1);
  });

  test('a witness ahead of the log (the log was rolled back) is reported; nothing is stored', async () => {
    const t = await testServer();
    cleanups.push(() => t.close());
    await ingest(t, 5);
    const early = (await t.log.store.head())!.size;
    const w = await witnessFor(t, 'w.test/ahead');
    const options = { store: t.log.store, witnesses: [w.target], clock: systemClock };
    await ingest(t, 5);
    await new WitnessSubmitter(options).submitAll();
    const witnessed = w.state.head(t.log.origin)!.size;

    // The same log key, a shorter log: what a restored backup of the folder would serve.
    const problems: string[] = [];
    const refusals: [string, number, boolean][] = [];
    const rolledBack = { ...options, store: stubHead(t, early) };
    const submitter = new WitnessSubmitter({
      ...rolledBack,
      onProblem: (p) => {
        problems.push(p.message);
        refusals.push([p.witness, p.treeSize, p.refused]);
      },
    });
    await submitter.submitAll();
    assert.equal(problems.length, 1);
    // A refusal of the log's history (not an outage): start-server raises a critical alert.
    assert.deepEqual(refusals, [['w.test/ahead', early, true]]);
    assert.match(
      problems[0]!,
      new RegExp(
        `cosigned size ${witnessed}, above the log's ${early}: this log was rolled back or forked`,
      ),
    );
    assert.equal(w.state.head(t.log.origin)!.size, witnessed);
  });
});

/** The log's store as it was at `size` (its checkpoint of that size is the head). */
function stubHead(t: TestServer, size: number) {
  const store = t.log.store;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'head') {
        return async () => {
          const cp = await target.checkpoint(size);
          return { size, rootHash: cp!.rootHash, checkpoint: cp!, lastReceivedAtMs: 0 };
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
