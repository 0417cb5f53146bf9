import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GATEWAY_TESTS, type Harness, startHarness, statementsOnly } from './gateway-harness.js';
import { runClient } from './run-client.js';

// Debian's python3-psycopg and python3-psycopg2 live beside Debian's own interpreter, which
// another python3 earlier on PATH (pyenv, a venv) would not see.
const PYTHON = process.env.EVIDENT_TEST_PYTHON ?? '/usr/bin/python3';
const script = (name: string) => fileURLToPath(new URL(`./python/${name}`, import.meta.url));

/** Debian's python3-psycopg (psycopg 3) and python3-psycopg2 through the gateway. */
describe('gateway with psycopg 3 and psycopg2', {
  skip: !GATEWAY_TESTS && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const run = async (file: string, table: string) => {
    const r = await runClient(PYTHON, [script(file)], {
      PGPORT: String(h.port),
      PGUSER: h.person,
      PGPASSWORD: h.secret,
      ITEMS: `${h.schema}.${table}`,
    });
    assert.equal(r.code, 0, `${file}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), 'ok');
  };
  const rowsOf = async (since: number) =>
    (await h.events(statementsOnly))
      .slice(since)
      .map((e) => [
        e.action,
        e.outcome,
        e.details.rows ?? null,
        e.details.sqlstate ?? null,
        e.details.parameters ?? null,
      ]);

  it('psycopg 3: server-side binding, prepared after the threshold, pipeline mode', async () => {
    await run('psycopg3_client.py', 'p3');
    const events = await h.events(statementsOnly);
    assert.deepEqual(await rowsOf(0), [
      ['db.ddl', 'success', null, null, null],
      // Python ints go as binary int2 (hex in the event), strings as text, None as NULL.
      ['db.insert', 'success', 2, null, ['\\x0001', 'one', '\\x0002', null]],
      ['db.select', 'success', 1, null, ['\\x0001']],
      ['db.select', 'success', 1, null, ['\\x0002']],
      ['db.select', 'success', 0, null, ['\\x0003']],
      ['db.update', 'success', 1, null, ['two', '\\x0002']],
      ['db.select', 'success', 1, null, null],
      ['db.delete', 'success', 1, null, ['\\x0001']],
      ['db.select', 'failure', null, '42P01', null],
    ]);
    assert.ok(events[1]!.details.protocol === 'extended', 'server-side binding');
    assert.equal(events[2]!.details.statement_name ?? null, null, 'below the threshold: unnamed');
    assert.ok(events[4]!.details.statement_name, 'past the threshold: a named statement');
  });

  it('psycopg2: client-side binding on the simple protocol, its implicit BEGIN and COMMIT', async () => {
    const before = (await h.events(statementsOnly)).length;
    await run('psycopg2_client.py', 'p2');
    const events = (await h.events(statementsOnly)).slice(before);
    assert.deepEqual(await rowsOf(before), [
      ['db.transaction', 'success', null, null, null],
      ['db.ddl', 'success', null, null, null],
      ['db.insert', 'success', 2, null, null],
      ['db.select', 'success', 1, null, null],
      ['db.transaction', 'success', null, null, null],
      ['db.transaction', 'success', null, null, null],
      ['db.select', 'failure', null, '42P01', null],
      ['db.transaction', 'success', null, null, null],
      ['db.transaction', 'success', null, null, null],
      ['db.delete', 'success', 1, null, null],
      ['db.transaction', 'success', null, null, null],
    ]);
    assert.ok(events.every((e) => e.details.protocol === 'simple'));
    assert.equal(
      events[2]!.details.statement,
      `insert into ${h.schema}.p2 values (1, 'o''ne'), (2, NULL)`,
      'the values psycopg2 quoted into the text',
    );
  });
});
