/**
 * The rule engine inside a real `evident serve` process: a scripted brute force against one
 * source raises exactly one alert with the default pack; the rules file comes from
 * EVIDENT_RULES; a broken rules file stops the start with file:line:col; a restart (even a
 * SIGKILL) raises nothing twice.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { E2E_ADMIN_TOKEN, getJson, postEvents, treeSize } from '../../support/http.js';
import { killAllChildren, runCli, startServe, tempDir } from '../../support/processes.js';

const admin = { authorization: `Bearer ${E2E_ADMIN_TOKEN}` };

async function ingestKey(url: string, source: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/keys`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ source }),
  });
  assert.equal(response.status, 201);
  return ((await response.json()) as { key: string }).key;
}

const signIn = (i: number) => ({
  time: new Date().toISOString(),
  actor: { id: 'alice', type: 'user', ip: '198.51.100.23' },
  action: 'auth.sign_in',
  outcome: 'failure',
  reason: `bad password #${i}`,
  category: 'authentication',
});

/** alert.raise events in the log (a search: raw log pages would count as exports). */
async function raised(url: string): Promise<Record<string, unknown>[]> {
  const page = await getJson<{ entries: { record: Record<string, unknown> }[] }>(
    url,
    '/api/v1/events?source=evident&action=alert.raise&limit=100',
  );
  assert.equal(page.status, 200);
  return page.body.entries.map((e) => e.record);
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('alert rules in evident serve', () => {
  const dirs: string[] = [];
  after(async () => {
    await killAllChildren();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a brute force raises exactly one alert, across a crash and a restart', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const rulesFile = join(dir, 'rules.yaml');
    writeFileSync(
      rulesFile,
      `rules:
  - id: webapp.deletes
    title: Deletes in the web app
    severity: low
    match: { source: webapp, action: { suffix: .delete } }
`,
    );
    const env = { EVIDENT_RULES: rulesFile };
    let server = await startServe({ dataDir: dir, adminToken: E2E_ADMIN_TOKEN, env });
    await server.waitFor(/alert rules: iso27001 pack \+ .*rules\.yaml/);
    const key = await ingestKey(server.url, 'webapp');

    const listed = (
      await getJson<{ rules: { id: string; layer: string }[] }>(server.url, '/api/v1/rules')
    ).body;
    assert.ok(listed.rules.some((r) => r.id === 'webapp.deletes' && r.layer === 'file'));
    assert.ok(listed.rules.some((r) => r.id === 'iso.failed-sign-ins' && r.layer === 'pack'));

    // Thirty failed sign-ins in three requests, then one delete.
    for (let batch = 0; batch < 3; batch++) {
      const body = Array.from({ length: 10 }, (_, i) => signIn(batch * 10 + i));
      assert.equal((await postEvents(server.url, key, body)).status, 201);
    }
    assert.equal(
      (
        await postEvents(server.url, key, {
          time: new Date().toISOString(),
          actor: { id: 'bob' },
          action: 'invoice.delete',
          outcome: 'success',
        })
      ).status,
      201,
    );
    // Creating the ingest key changed Evident itself: the pack raises that too.
    const alerts = await until('three alerts', async () => {
      const found = await raised(server.url);
      return found.length >= 3 ? found : undefined;
    });
    assert.deepEqual(alerts.map((a) => (a.details as { rule: string }).rule).sort(), [
      'iso.evident-config-change',
      'iso.failed-sign-ins',
      'webapp.deletes',
    ]);

    // A crash, then more failures of the same brute force: suppressed, still one alert.
    await server.kill();
    server = await startServe({ dataDir: dir, adminToken: E2E_ADMIN_TOKEN, env });
    for (let batch = 0; batch < 2; batch++) {
      const body = Array.from({ length: 10 }, (_, i) => signIn(100 + batch * 10 + i));
      assert.equal((await postEvents(server.url, key, body)).status, 201);
    }
    const size = await treeSize(server.url);
    await until('the engine to catch up', async () => {
      const view = await getJson<{ engine: { position: number } | null }>(
        server.url,
        '/api/v1/rules',
      );
      return (view.body.engine?.position ?? 0) >= size ? true : undefined;
    });
    const after = await raised(server.url);
    assert.equal(
      after.filter((a) => (a.details as { rule: string }).rule === 'iso.failed-sign-ins').length,
      1,
    );
    assert.equal(after.length, 3);

    // `evident rules list` shows the same rules and where the engine is.
    const list = await runCli([
      'rules',
      'list',
      '--json',
      '--url',
      server.url,
      '--token',
      E2E_ADMIN_TOKEN,
    ]);
    assert.equal(list.code, 0, list.stderr);
    const listed2 = JSON.parse(list.stdout) as {
      rules: { id: string }[];
      engine: { position: number };
    };
    assert.ok(listed2.rules.some((r) => r.id === 'webapp.deletes'));
    assert.ok(listed2.engine.position >= size);
    const table = await runCli(['rules', 'list', '--url', server.url, '--token', E2E_ADMIN_TOKEN]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /iso\.failed-sign-ins/);
    assert.match(table.stderr, /rule\(s\) enabled; engine at seq \d+/);
    await server.stop();
  });

  it('a broken rules file stops the start with every problem at file:line:col', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const rulesFile = join(dir, 'broken.yaml');
    writeFileSync(
      rulesFile,
      'rules:\n  - id: x\n    title: X\n    severity: huge\n    match: { action: a.b }\n',
    );
    const result = await runCli(['serve', '--data', dir, '--port', '0', '--rules', rulesFile], {
      env: { EVIDENT_ADMIN_TOKEN: E2E_ADMIN_TOKEN },
    });
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      new RegExp(
        `${rulesFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:15: rules\\[0\\]\\.severity: severity "huge" is not one of`,
      ),
    );
  });
});
