import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadAdminToken } from '../../src/access/admin-token.js';
import { createIngestKey } from '../../src/access/ingest-keys.js';
import { formatVerifierKey } from '../../src/core/note.js';
import { dataPaths } from '../../src/data-folder.js';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import { buildApp } from '../../src/server/app.js';
import { ManualClock } from '../../src/util/clock.js';

export const TEST_ORIGIN = 'evident.test/log';
export const ADMIN_TOKEN = 'eva_test-admin-token-0123456789abcdef';
export const START_MS = Date.parse('2026-11-22T09:00:00.000Z');

export interface TestServer {
  dir: string;
  app: FastifyInstance;
  log: OpenLog;
  clock: ManualClock;
  admin: { authorization: string };
  /** Creates an ingest key for `source`; returns its Authorization header. */
  ingestKey(source: string): Promise<{ authorization: string; id: string }>;
  close(): Promise<void>;
}

export function tempDir(prefix = 'evident-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real server (SQLite in a temp folder) driven in-process with app.inject(). */
export async function testServer(options: { dir?: string } = {}): Promise<TestServer> {
  const dir = options.dir ?? tempDir();
  const clock = new ManualClock(START_MS);
  const log = await openLog({ dataDir: dir, origin: TEST_ORIGIN, clock });
  const adminToken = loadAdminToken(dataPaths(dir).adminToken, ADMIN_TOKEN);
  const app = buildApp({
    store: log.store,
    sequencer: log.sequencer,
    origin: log.origin,
    verifierKey: formatVerifierKey(log.signer.name, log.signer.publicKey),
    adminToken,
    clock,
    audit: new SelfAudit(log.sequencer, log.origin, clock),
  });
  await app.ready();
  return {
    dir,
    app,
    log,
    clock,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
    ingestKey: async (source) => {
      const created = await createIngestKey(log.store, clock, source);
      return { authorization: `Bearer ${created.key}`, id: created.row.id };
    },
    close: async () => {
      await app.close();
      await log.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A valid event; override any field. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2026-11-22T09:14:03.120Z',
    actor: { id: 'u-123', type: 'user', name: 'Ada', ip: '10.0.0.7' },
    action: 'customer.read',
    target: { type: 'customer', id: 'c-9', sensitivity: 'restricted' },
    outcome: 'success',
    ...overrides,
  };
}
