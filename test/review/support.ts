import { rmSync } from 'node:fs';
import { AccountDirectory } from '../../src/access/accounts/accounts.js';
import { adminContext } from '../../src/access/admin/admin-context.js';
import { PrincipalDirectory } from '../../src/access/admin/principal-directory.js';
import { ApiTokens } from '../../src/access/credentials/api-tokens.js';
import type { AccountPrincipal, Grant } from '../../src/access/principal.js';
import { validateSubmittedRecord } from '../../src/core/record/validate.js';
import { type OpenLog, openLog } from '../../src/log/open-log.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import { AlertService } from '../../src/monitor/alerts/alert-service.js';
import { ReviewSchedule } from '../../src/review/review-schedule.js';
import { type ReviewActor, ReviewService } from '../../src/review/review-service.js';
import { ReviewWork } from '../../src/review/review-work.js';
import { insertAccount } from '../../src/store/tables/accounts/accounts-table.js';
import { ManualClock } from '../../src/util/clock.js';
import { ulidGenerator } from '../../src/util/ids.js';
import { accountRecord } from '../support/accounts.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { event, tempDir } from '../support/test-server.js';

/** Where a log for these tests lives: SQLite, and PostgreSQL when configured. */
export const TARGETS = [
  { name: 'sqlite', open: async () => ({ databaseUrl: undefined, drop: async () => {} }) },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          open: async () => {
            const target = await freshPgSchema();
            const url = new URL(target.url);
            url.searchParams.set('schema', target.schema);
            return { databaseUrl: url.toString() as string | undefined, drop: target.drop };
          },
        },
      ]
    : []),
];

/** One process's view of a log: its services, as a server builds them. */
export interface Process {
  log: OpenLog;
  reviews: ReviewService;
  work: ReviewWork;
  schedule: ReviewSchedule;
  alerts: AlertService;
}

export function processOn(log: OpenLog, clock: ManualClock): Process {
  const audit = new SelfAudit(log.sequencer, log.origin, clock);
  const ids = ulidGenerator();
  const alerts = new AlertService({ store: log.store, audit, clock });
  const accounts = new AccountDirectory(log.store);
  const tokens = new ApiTokens(log.store.state);
  const reviews = new ReviewService({
    store: log.store,
    audit,
    clock,
    ids,
    alerts,
    accounts,
    tokens,
  });
  const admin = adminContext({
    store: log.store,
    accounts,
    tokens,
    audit,
    clock,
    forgetCached: () => {},
  });
  return {
    log,
    reviews,
    work: new ReviewWork(reviews, new PrincipalDirectory(admin)),
    schedule: new ReviewSchedule({ store: log.store, audit, alerts, clock, ids }),
    alerts,
  };
}

export interface Harness {
  clock: ManualClock;
  dir: string;
  databaseUrl: string | undefined;
  open(): Promise<OpenLog>;
  /** Closes one log as a stopping process would. */
  stop(log: OpenLog): Promise<void>;
  close(): Promise<void>;
}

export async function harness(target: (typeof TARGETS)[number], startMs: number): Promise<Harness> {
  const dir = tempDir('evident-reviews-');
  const { databaseUrl, drop } = await target.open();
  const clock = new ManualClock(startMs);
  const opened: OpenLog[] = [];
  return {
    clock,
    dir,
    databaseUrl,
    open: async () => {
      const log = await openLog({
        dataDir: dir,
        databaseUrl,
        clock,
        origin: 'evident.test/reviews',
      });
      opened.push(log);
      return log;
    },
    stop: async (log) => {
      opened.splice(opened.indexOf(log), 1);
      await log.close();
    },
    close: async () => {
      for (const log of opened) await log.close().catch(() => {});
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Appends one event of `source` by `actor` at the clock's time; returns its seq. */
export async function append(
  log: OpenLog,
  clock: ManualClock,
  source: string,
  actor: string,
  action = 'customer.read',
): Promise<number> {
  const time = new Date(clock.now()).toISOString();
  const record = validateSubmittedRecord(event({ time, actor: { id: actor }, action }), '$', {
    boundSource: source,
  });
  return (await log.sequencer.append([record], source)).entries[0]!.seq;
}

/** A person with these grants, stored, and as a request would carry them. */
export async function person(log: OpenLog, id: string, grants: Grant[]): Promise<ReviewActor> {
  await log.store.transaction((tx) => insertAccount(tx, accountRecord(id, grants), 0));
  const principal: AccountPrincipal = {
    kind: 'person',
    id,
    name: id,
    grants,
    credential: { method: 'token', tokenId: `tok-${id}` },
  };
  return { principal, ip: '10.0.0.9' };
}

/** The events of an action, parsed, oldest first. */
export async function eventsOf(log: OpenLog, action: string): Promise<Record<string, unknown>[]> {
  const found = await log.store.search({ action, limit: 1000 });
  return found.reverse().map((e) => JSON.parse(e.record) as Record<string, unknown>);
}
