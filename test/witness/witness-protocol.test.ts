import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseCosignatureVerifierKey } from '../../src/core/cosignature.js';
import { openNote } from '../../src/core/note.js';
import { ManualClock } from '../../src/util/clock.js';
import { formatAddCheckpointBody } from '../../src/witness/add-checkpoint-body.js';
import { Witness } from '../../src/witness/witness.js';
import { parseWitnessConfig } from '../../src/witness/witness-config.js';
import { loadOrCreateWitnessKey } from '../../src/witness/witness-key.js';
import { buildWitnessApp } from '../../src/witness/witness-server.js';
import { WitnessState } from '../../src/witness/witness-state.js';
import { ToyLog } from '../support/toy-log.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evident-witness-'));
  dirs.push(dir);
  return join(dir, 'w');
}

function open(dir: string, logs: ToyLog[], clock = new ManualClock(1_800_000_000_000)) {
  const { key } = loadOrCreateWitnessKey(join(dir, 'witness.key'), 'witness.test/w1');
  const state = new WitnessState(join(dir, 'witness.db'));
  const config = parseWitnessConfig(logs.map((l) => `log ${l.verifierKey}`).join('\n'));
  const witness = new Witness({
    key,
    logs: config,
    state,
    clock,
    rateLimit: { capacity: 5, refillMs: 1000 },
  });
  const app = buildWitnessApp(witness, key.verifierKey);
  const post = async (payload: string) => {
    const res = await app.inject({ method: 'POST', url: '/add-checkpoint', payload });
    return { status: res.statusCode, type: res.headers['content-type'], body: res.body };
  };
  return { key, state, app, post, clock, close: () => state.close() };
}

/** A log at size 10 already cosigned at size `at`. */
async function witnessedAt(at: number) {
  const log = new ToyLog('log.test/a', 1).append(20);
  const w = open(folder(), [log]);
  const first = await w.post(formatAddCheckpointBody(0, [], log.checkpoint(at)));
  assert.equal(first.status, 200, first.body);
  return { log, w };
}

describe('tlog-witness add-checkpoint status codes', () => {
  const other = new ToyLog('log.test/a', 2).append(20); // same origin, an untrusted key
  const unknown = new ToyLog('log.test/unknown', 3).append(20);
  // Signed with the log's own key, but entries 5..7 were rewritten.
  const fork = new ToyLog('log.test/a', 1).append(5).append(15, 'forged');

  const cases: { name: string; body: (log: ToyLog) => string; status: number; size?: string }[] = [
    {
      name: 'consistent extension',
      body: (l) => req(8, l.consistency(8, 15), l.checkpoint(15)),
      status: 200,
    },
    { name: 'same checkpoint again', body: (l) => req(8, [], l.checkpoint(8)), status: 200 },
    { name: 'unknown origin', body: () => req(0, [], unknown.checkpoint(5)), status: 404 },
    {
      name: 'untrusted key for the origin',
      body: () => req(8, other.consistency(8, 15), other.checkpoint(15)),
      status: 403,
    },
    {
      name: 'tampered signature',
      body: (l) => req(8, l.consistency(8, 15), tamper(l.checkpoint(15))),
      status: 403,
    },
    { name: 'no old line', body: (l) => `\n${l.checkpoint(15)}`, status: 400 },
    {
      name: 'old size with a leading zero',
      body: (l) => `old 08\n\n${l.checkpoint(15)}`,
      status: 400,
    },
    {
      name: 'proof line not base64',
      body: (l) => `old 8\nnot-base64!\n\n${l.checkpoint(15)}`,
      status: 400,
    },
    {
      name: 'proof line of 31 bytes',
      body: (l) => `old 8\n${Buffer.alloc(31).toString('base64')}\n\n${l.checkpoint(15)}`,
      status: 400,
    },
    {
      name: '64 proof lines',
      body: (l) => req(8, Array(64).fill(l.consistency(8, 15)[0]), l.checkpoint(15)),
      status: 400,
    },
    { name: 'no blank line before the checkpoint', body: () => 'old 8\n', status: 400 },
    {
      name: 'checkpoint without signatures',
      body: (l) => `old 8\n\nlog.test/a\n15\n${Buffer.from(l.root(15)).toString('base64')}\n`,
      status: 400,
    },
    {
      name: 'old size above the checkpoint size',
      body: (l) => req(16, [], l.checkpoint(15)),
      status: 400,
    },
    {
      name: 'proof from old size 0',
      body: (l) => req(0, l.consistency(8, 15), l.checkpoint(15)),
      status: 400,
    },
    {
      name: 'old size behind the witness',
      body: (l) => req(0, [], l.checkpoint(15)),
      status: 409,
      size: '8\n',
    },
    {
      name: 'old size ahead of the witness',
      body: (l) => req(10, l.consistency(10, 15), l.checkpoint(15)),
      status: 409,
      size: '8\n',
    },
    {
      name: 'same size, another root (a fork)',
      body: () => req(8, [], new ToyLog('log.test/a', 1).append(8, 'x').checkpoint(8)),
      status: 409,
      size: '8\n',
    },
    {
      name: 'wrong consistency proof',
      body: (l) => req(8, l.consistency(8, 16), l.checkpoint(15)),
      status: 422,
    },
    {
      name: 'empty proof for a larger tree',
      body: (l) => req(8, [], l.checkpoint(15)),
      status: 422,
    },
    {
      name: 'fork signed with the log key',
      body: () => req(8, fork.consistency(8, 20), fork.checkpoint(20)),
      status: 422,
    },
  ];

  for (const c of cases) {
    test(`${c.name} → ${c.status}`, async () => {
      const { log, w } = await witnessedAt(8);
      try {
        const res = await w.post(c.body(log));
        assert.equal(res.status, c.status, res.body);
        if (c.size !== undefined) {
          assert.equal(res.type, 'text/x.tlog.size');
          assert.equal(res.body, c.size);
        } else if (c.status !== 200) {
          assert.ok(JSON.parse(res.body).error.message.length > 0);
        }
        // Only a 200 moves the witness; every refusal leaves it where it was.
        const expected = c.status === 200 ? Number(c.body(log).match(/\n(\d+)\n/)![1]) : 8;
        assert.equal(w.state.head('log.test/a')!.size, expected);
      } finally {
        w.close();
      }
    });
  }

  test('a 200 is a cosignature/v1 over the checkpoint, timestamped, by the witness key', async () => {
    const { log, w } = await witnessedAt(8);
    try {
      const checkpoint = log.checkpoint(15);
      const res = await w.post(req(8, log.consistency(8, 15), checkpoint));
      assert.equal(res.status, 200);
      assert.match(res.body, /^— witness\.test\/w1 [A-Za-z0-9+/=]+\n$/);
      const verifier = parseCosignatureVerifierKey(w.key.verifierKey);
      const opened = openNote(checkpoint + res.body, [verifier]);
      const cosig = opened.signatures.find((s) => s.verified);
      assert.ok(cosig, 'the cosignature verifies with the witness key');
      const time = new DataView(cosig.signature.buffer, cosig.signature.byteOffset).getBigUint64(0);
      assert.equal(time, BigInt(1_800_000_000));
    } finally {
      w.close();
    }
  });

  test('a log over its rate limit gets 429 with Retry-After, other logs do not', async () => {
    const a = new ToyLog('log.test/a', 1).append(20);
    const b = new ToyLog('log.test/b', 4).append(20);
    const w = open(folder(), [a, b]);
    try {
      for (let i = 1; i <= 5; i++) {
        assert.equal(
          (await w.post(req(i - 1, a.consistency(i - 1, i), a.checkpoint(i)))).status,
          200,
        );
      }
      const res = await w.app.inject({
        method: 'POST',
        url: '/add-checkpoint',
        payload: req(5, a.consistency(5, 6), a.checkpoint(6)),
      });
      assert.equal(res.statusCode, 429);
      assert.equal(res.headers['retry-after'], '1');
      assert.equal((await w.post(req(0, [], b.checkpoint(3)))).status, 200);
      w.clock.advance(1000);
      assert.equal((await w.post(req(5, a.consistency(5, 6), a.checkpoint(6)))).status, 200);
    } finally {
      w.close();
    }
  });

  test('a fork and a bad proof are kept as evidence; a stale old size is not', async () => {
    const { log, w } = await witnessedAt(8);
    try {
      await w.post(req(8, fork.consistency(8, 20), fork.checkpoint(20)));
      await w.post(req(0, [], log.checkpoint(15)));
      const refusals = w.state.refusals('log.test/a');
      assert.equal(refusals.length, 1);
      assert.equal(refusals[0]!.status, 422);
      assert.ok(refusals[0]!.body.includes(fork.checkpoint(20)));
    } finally {
      w.close();
    }
  });
});

describe('witness state', () => {
  test('survives a restart: the size is remembered, a rollback is refused, the key is kept', async () => {
    const log = new ToyLog('log.test/a', 1).append(30);
    const dir = folder();
    let w = open(dir, [log]);
    assert.equal((await w.post(req(0, [], log.checkpoint(10)))).status, 200);
    assert.equal((await w.post(req(10, log.consistency(10, 20), log.checkpoint(20)))).status, 200);
    const vkey = w.key.verifierKey;
    w.close();

    w = open(dir, [log]);
    try {
      assert.equal(w.key.verifierKey, vkey);
      const fresh = await w.post(req(0, [], log.checkpoint(10)));
      assert.deepEqual([fresh.status, fresh.body], [409, '20\n']);
      const rollback = await w.post(req(20, [], log.checkpoint(10)));
      assert.equal(rollback.status, 400);
      assert.equal(
        (await w.post(req(20, log.consistency(20, 30), log.checkpoint(30)))).status,
        200,
      );
    } finally {
      w.close();
    }
  });

  test('folder 0700, key and database 0600', async () => {
    const log = new ToyLog('log.test/a', 1).append(3);
    const dir = folder();
    const w = open(dir, [log]);
    w.close();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'witness.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'witness.db')).mode & 0o777, 0o600);
  });

  test('two witness processes on one state file: the compare-and-swap lets one of a racing pair win', async () => {
    const log = new ToyLog('log.test/a', 1).append(30);
    const dir = folder();
    const w1 = open(dir, [log]);
    const w2 = open(dir, [log]);
    try {
      assert.equal((await w1.post(req(0, [], log.checkpoint(10)))).status, 200);
      // Both were told size 10; each proves its own new size from it.
      const [r1, r2] = await Promise.all([
        w1.post(req(10, log.consistency(10, 25), log.checkpoint(25))),
        w2.post(req(10, log.consistency(10, 15), log.checkpoint(15))),
      ]);
      const statuses = [r1.status, r2.status].sort();
      assert.deepEqual(statuses, [200, 409]);
      const loser = r1.status === 409 ? r1 : r2;
      const winnerSize = r1.status === 200 ? 25 : 15;
      assert.equal(loser.body, `${winnerSize}\n`);
      assert.equal(w2.state.head('log.test/a')!.size, winnerSize);
    } finally {
      w1.close();
      w2.close();
    }
  });
});

function req(old: number, proof: string[], checkpoint: string): string {
  return formatAddCheckpointBody(old, proof, checkpoint);
}

function tamper(note: string): string {
  const i = note.lastIndexOf(' ') + 5;
  return note.slice(0, i) + (note[i] === 'A' ? 'B' : 'A') + note.slice(i + 1);
}
