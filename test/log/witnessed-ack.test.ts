/**
 * Witnessed acks: a log with three in-process witnesses (quorum 2) answers an ingest only once
 * two of them cosigned a checkpoint covering it; with two witnesses gone the ack still comes,
 * after the timeout, as a 201 with witnessed: false, and the entries are committed.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIngestKey } from '../../src/access/credentials/ingest-keys.js';
import { formatVerifierKey } from '../../src/core/note.js';
import { checkCosignatures, parseWitnessPolicy } from '../../src/core/witness-policy.js';
import { openLog } from '../../src/log/open-log.js';
import { type RunningServer, startServer } from '../../src/server/start-server.js';
import { systemClock } from '../../src/util/clock.js';
import { ulidGenerator } from '../../src/util/ids.js';
import { type RunningWitness, startWitness } from '../../src/witness/start-witness.js';
import { parseWitnessConfig } from '../../src/witness/witness-config.js';
import { event, tempDir } from '../support/test-server.js';

const TIMEOUT_MS = 1500;

describe('witnessed acks (serve --witnessed-ack)', () => {
  const root = tempDir('evident-witnessed-ack-');
  const witnesses: RunningWitness[] = [];
  let server: RunningServer;
  let ingestKey: string;
  let policyText: string;

  before(async () => {
    const dataDir = join(root, 'log');
    const opened = await openLog({ dataDir, origin: 'evident.test/witnessed-ack' });
    ingestKey = (await createIngestKey(opened.store, systemClock, 'app', 'test')).key;
    const logKey = formatVerifierKey(opened.signer.name, opened.signer.publicKey);
    await opened.close();
    const logs = parseWitnessConfig(`log ${logKey}\n`);
    for (let i = 1; i <= 3; i++) {
      witnesses.push(
        await startWitness({
          dataDir: join(root, `w${i}`),
          name: `w${i}.test/witness`,
          logs,
          host: '127.0.0.1',
          port: 0,
          clock: systemClock,
        }),
      );
    }
    policyText = `${witnesses.map((w) => `witness ${w.key.verifierKey} ${w.url}`).join('\n')}\nquorum 2\n`;
    const policy = parseWitnessPolicy(policyText);
    server = await startServer({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      monitor: false,
      witnesses: policy.witnesses.map((w) => ({ ...w, url: w.url! })),
      witnessedAck: { quorum: 2, timeoutMs: TIMEOUT_MS },
    });
  });

  after(async () => {
    await server?.close();
    for (const w of witnesses) await w.close();
    rmSync(root, { recursive: true, force: true });
  });

  const ingest = async (body: unknown) => {
    const res = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers once two witnesses cosigned a checkpoint covering the entries', async () => {
    // Concurrent requests share rounds: each ack still gets a checkpoint covering its own seqs.
    const answers = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => ingest([event({ action: `customer.a${i}` }), event()])),
    );
    const policy = parseWitnessPolicy(policyText);
    for (const { status, body } of answers) {
      assert.equal(status, 201, JSON.stringify(body));
      assert.equal(body.witnessed, true);
      const note = body.witnessed_checkpoint as string;
      const verdict = checkCosignatures(note, policy);
      assert.ok(verdict.ok, `cosigned by ${verdict.signed.join(', ')}`);
      const size = Number(note.split('\n')[1]);
      const seqs = (body.entries as { seq: number }[]).map((e) => e.seq);
      assert.ok(size > Math.max(...seqs), `tree size ${size} covers seqs ${seqs.join(',')}`);
    }
  });

  it('still acks the committed entries after the timeout when the quorum is out of reach', async () => {
    await witnesses[1]!.close();
    await witnesses[2]!.close();
    const records = [event({ id: ulidGenerator()(Date.now()), action: 'customer.late' })];
    const first = await ingest(records);
    assert.equal(first.status, 201);
    assert.equal(first.body.witnessed, false);
    assert.equal(first.body.witnessed_checkpoint, undefined);
    // A retry of the same event ids finds them stored: the first ack had committed them.
    const retry = await ingest(records);
    assert.equal(retry.status, 201);
    assert.deepEqual(
      (retry.body.entries as { already_stored: boolean }[]).map((e) => e.already_stored),
      [true],
    );
  });
});
