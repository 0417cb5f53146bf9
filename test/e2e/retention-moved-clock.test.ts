/**
 * Retention's "done when", as a user types it, against the real server process and its real
 * purge scheduler: an admin sets a 12-month minimum and a 36-month maximum with archive (a
 * second admin approves: it shortens "forever"), places a legal hold on one person; the server
 * is restarted with its clock moved 37 months ahead (libfaketime), and on its own schedule it
 * archives and purges the unheld payloads and keeps the held ones. The archive bundle and the
 * whole log then verify, every removal explained; held payloads read back, the others are 410.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AccountDirectory } from '../../src/access/accounts/accounts.js';
import { ApiTokens } from '../../src/access/credentials/api-tokens.js';
import { openLog } from '../../src/log/open-log.js';
import { accountRecord } from '../support/accounts.js';
import { daysUntilMonthsLater, FAKETIME_ENABLED, movedClockEnv } from '../support/faketime.js';
import { E2E_ADMIN_TOKEN, E2E_ORIGIN, getJson, postEvents } from '../support/http.js';
import {
  type CliResult,
  killAllChildren,
  lastLine,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';

const SLOW = 120_000;

describe('retention end to end: the real scheduler under a clock moved 37 months', {
  skip: !FAKETIME_ENABLED,
}, () => {
  let dir: string;
  let archiveDir: string;
  let server: ServerProcess | undefined;
  let url: string;
  /** Ids of the events, by whether the hold covers them. */
  const held: string[] = [];
  const unheld: string[] = [];
  let holdId: string;
  let verifierKey: string;
  /** The two admins' API tokens (seeded: see seedAdmins). */
  let admins: { ada: string; grace: string };
  const serveEnv = () => ({
    // A quick schedule, so the test does not wait an hour for the scheduler's next run.
    EVIDENT_RETENTION_INTERVAL_SECONDS: '1',
    EVIDENT_ARCHIVE_TARGET: archiveDir,
  });

  const ok = (res: CliResult, what: string): CliResult => {
    assert.equal(res.code, 0, `${what}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
    return res;
  };
  /** `evident <args> --url … --token …` as one of the two admins. */
  const as = (person: 'ada' | 'grace', args: string[]) =>
    runCli([...args, '--url', url, '--token', admins[person]], { timeoutMs: SLOW });

  before(async () => {
    dir = tempDir();
    archiveDir = tempDir('evident-archive-');
    admins = await seedAdmins(dir);
    server = await startServe({
      dataDir: dir,
      adminToken: E2E_ADMIN_TOKEN,
      origin: E2E_ORIGIN,
      env: serveEnv(),
      timeoutMs: SLOW,
    });
    url = server.url;
  });

  after(async () => {
    await server?.kill();
    await killAllChildren();
    for (const d of [dir, archiveDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('events arrive from two people', async () => {
    const key = lastLine(
      ok(
        await runCli(['keys', 'create', '--source', 'billing', '--data', dir], {
          timeoutMs: SLOW,
        }),
        'keys create',
      ).stdout,
    );
    for (let i = 0; i < 6; i++) {
      const actor = i % 2 === 0 ? 'u-held' : 'u-other';
      const res = await postEvents(url, key, {
        time: new Date().toISOString(),
        actor: { id: actor, type: 'user' },
        action: 'customer.read',
        target: { type: 'customer', id: `c-${i}` },
        outcome: 'success',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const id = (res.body as { entries: { id: string }[] }).entries[0]!.id;
      (actor === 'u-held' ? held : unheld).push(id);
    }
  });

  it('ada sets 12 months minimum, 36 maximum, archived; grace approves; ada holds u-held', async () => {
    const asked = ok(
      await as('ada', [
        'retention',
        'set',
        '--source',
        '*',
        '--min',
        '12m',
        '--max',
        '36m',
        '--archive',
        '--reason',
        'records policy 7',
      ]),
      'retention set',
    );
    const request = /request (\S+) waits for a different admin/.exec(asked.stdout)?.[1];
    assert.ok(request, asked.stdout);
    const self = await as('ada', ['approvals', 'approve', request]);
    assert.notEqual(self.code, 0, 'the requester cannot approve');
    ok(await as('grace', ['approvals', 'approve', request]), 'approvals approve');
    const shown = JSON.parse(ok(await as('ada', ['retention', 'show', '--json']), 'show').stdout);
    assert.deepEqual(
      shown.map((p: { source: string; min: string; max: string; archive: boolean }) => [
        p.source,
        p.min,
        p.max,
        p.archive,
      ]),
      [['*', 'P12M', 'P36M', true]],
    );
    const placed = ok(
      await as('ada', [
        'holds',
        'place',
        '--actor',
        'u-held',
        '--matter',
        'case 7',
        '--reason',
        'litigation hold',
      ]),
      'holds place',
    );
    holdId = /Legal hold (\S+) placed/.exec(placed.stdout)?.[1] ?? '';
    assert.ok(holdId, placed.stdout);
    // The scheduler runs every second on today's clock: nothing is old enough yet.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.doesNotMatch(server!.output(), /retention: purged/);
  });

  it('37 months later the scheduler, on its own, archives and purges the unheld payloads', async () => {
    const port = server!.port;
    assert.deepEqual(await server!.stop(), { code: 0, signal: null });
    const days = daysUntilMonthsLater(Date.now(), 37);
    server = await startServe({
      dataDir: dir,
      port,
      adminToken: E2E_ADMIN_TOKEN,
      env: { ...serveEnv(), ...movedClockEnv(days) },
      timeoutMs: SLOW,
    });
    const purged = await server.waitFor(/retention: purged (\d+) payload\(s\)/, 60_000);
    assert.equal(Number(purged[1]), unheld.length, server.output());

    // The server's clock really is 37 months ahead: its own purge event says so.
    const purgeEvents = await getJson(url, '/api/v1/events?action=retention.purge&limit=10');
    assert.equal(purgeEvents.status, 200, JSON.stringify(purgeEvents.body));
    const events = (purgeEvents.body as { entries: { record: { received_at: string } }[] }).entries;
    assert.equal(events.length, 1, JSON.stringify(events));
    const movedBy = Date.parse(events[0]!.record.received_at) - Date.now();
    assert.ok(movedBy > 36 * 30 * 86_400_000, `the purge was ${movedBy} ms ahead of real time`);

    for (const id of held) {
      const res = await getJson(url, `/api/v1/events/${id}`);
      assert.equal(res.status, 200, `held ${id}: ${JSON.stringify(res.body)}`);
    }
    for (const id of unheld) {
      const res = await getJson(url, `/api/v1/events/${id}`);
      assert.equal(res.status, 410, `unheld ${id}: ${JSON.stringify(res.body)}`);
      assert.match(JSON.stringify(res.body), /payload_purged/);
    }
    const remote = ok(
      await runCli(['verify', '--url', url, '--token', E2E_ADMIN_TOKEN], { timeoutMs: SLOW }),
      'verify --url',
    );
    assert.match(remote.stdout, /^OK: /m);
    assert.match(remote.stdout, new RegExp(`Purged: ${unheld.length} payload`));
    const keys = await getJson<{ current: string }>(url, '/api/v1/log/keys');
    verifierKey = keys.body.current;
  });

  it('the archive bundle and the whole log verify, every removal explained', async () => {
    assert.deepEqual(await server!.stop(), { code: 0, signal: null });
    const bundles = readdirSync(archiveDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.zip'));
    assert.equal(bundles.length, 1, `one purge batch, one bundle: ${bundles.join(', ')}`);
    const bundle = ok(
      await runCli(['archive', 'verify', join(archiveDir, bundles[0]!), '--key', verifierKey], {
        timeoutMs: SLOW,
      }),
      'archive verify',
    );
    assert.match(bundle.stderr, new RegExp(`Verified: ${unheld.length} records`));

    const offline = ok(
      await runCli(['verify', '--data', dir, '--key', verifierKey], { timeoutMs: SLOW }),
      'verify --data',
    );
    assert.match(offline.stdout, /^OK: /m);
    assert.match(
      offline.stdout,
      new RegExp(
        `Purged: ${unheld.length} payload\\(s\\), each explained by the log's retention\\.purge events`,
      ),
    );
  });
});

/**
 * Two admins, seeded in the store before the server starts. Through the API a second admin
 * takes a third one or 30 days (docs/security.md, "Credential control"): that is the access
 * model's business, tested elsewhere; here one asks for the policy and the other approves it.
 */
async function seedAdmins(dataDir: string): Promise<{ ada: string; grace: string }> {
  const log = await openLog({ dataDir, origin: E2E_ORIGIN });
  try {
    const token = async (name: string) => {
      await new AccountDirectory(log.store).create(
        accountRecord(name, [{ role: 'admin' }], { name, createdAtMs: Date.now() }),
      );
      const created = await new ApiTokens(log.store.state).create({
        accountId: name,
        label: 'retention e2e',
        roles: null,
        expiresAtMs: Date.now() + 86_400_000,
        createdBy: 'test',
        nowMs: Date.now(),
      });
      return created.token;
    };
    return { ada: await token('ada'), grace: await token('grace') };
  } finally {
    await log.close();
  }
}
