/**
 * Logs to archive from: a data folder (SQLite) or a PostgreSQL schema holding `count`
 * application events appended through the real sequencer, with a manual clock.
 */
import { rmSync } from 'node:fs';
import { validateSubmittedRecord } from '../../../src/core/record/validate.js';
import { META_VERIFIER_KEY } from '../../../src/log/init-log.js';
import { type OpenLog, openLog } from '../../../src/log/open-log.js';
import { ManualClock } from '../../../src/util/clock.js';
import { freshPgSchema, PG_ENABLED } from '../../support/stores.js';
import { START_MS, tempDir } from '../../support/test-server.js';

export interface ArchiveLog {
  log: OpenLog;
  dataDir: string;
  databaseUrl: string | undefined;
  verifierKey: string;
  clock: ManualClock;
  dispose(): Promise<void>;
}

export const LOG_KINDS = ['sqlite', ...(PG_ENABLED ? ['postgresql'] : [])] as const;

export async function appendEvents(log: OpenLog, clock: ManualClock, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const source = i % 2 === 0 ? 'billing-api' : 'hr-app';
    const record = validateSubmittedRecord(
      {
        time: new Date(clock.now()).toISOString(),
        actor: { id: `u-${i % 7}` },
        action: 'customer.read',
        target: { type: 'customer', id: `c-${i}` },
        outcome: 'success',
      },
      '$',
      { boundSource: source },
    );
    await log.sequencer.append([record], source);
    clock.advance(60_000);
  }
}

export async function makeArchiveLog(
  kind: string,
  origin: string,
  count: number,
): Promise<ArchiveLog> {
  const dataDir = tempDir('evident-archive-');
  let databaseUrl: string | undefined;
  let drop = async () => {};
  if (kind === 'postgresql') {
    const pg = await freshPgSchema();
    databaseUrl = `${pg.url}?schema=${pg.schema}`;
    drop = pg.drop;
  }
  const clock = new ManualClock(START_MS);
  const log = await openLog({ dataDir, origin, clock, ...(databaseUrl ? { databaseUrl } : {}) });
  await appendEvents(log, clock, count);
  return {
    log,
    dataDir,
    databaseUrl,
    verifierKey: (await log.store.getMeta(META_VERIFIER_KEY))!,
    clock,
    dispose: async () => {
      await log.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
