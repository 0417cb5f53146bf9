/**
 * A small log for the report tests: accesses from two sources (one hostile text among
 * them), an access change, two alerts on different sources (one handled), a silence and a
 * clock.sync event; appended in-process with a clock in November 2026.
 */
import { validateSubmittedRecord } from '../../src/core/record/validate.js';
import type { OpenLog } from '../../src/log/open-log.js';
import { SelfAudit, type SelfAuditEvent } from '../../src/log/self-audit.js';
import type { ManualClock } from '../../src/util/clock.js';

export const REPORT_DAY = '2026-11-22';
export const REPORT_START_MS = Date.parse(`${REPORT_DAY}T09:00:00.000Z`);
/** An actor name with a right-to-left override and a very long tail. */
export const HOSTILE_NAME = `Mallory\u202Egnp.exe ${'W'.repeat(240)}`;

export async function fillReportLog(log: OpenLog, clock: ManualClock): Promise<void> {
  clock.set(REPORT_START_MS);
  const audit = new SelfAudit(log.sequencer, log.origin, clock);
  const system = { kind: 'system' as const, id: 'monitor' };
  const grace = {
    kind: 'person' as const,
    id: 'p-grace',
    name: 'grace',
    credential: { method: 'token' as const },
  };
  const as = (principal: SelfAuditEvent['principal'], e: Omit<SelfAuditEvent, 'principal'>) =>
    audit.record({ ...e, principal });
  const app = async (source: string, event: Record<string, unknown>) => {
    const record = validateSubmittedRecord(
      { time: new Date(clock.now()).toISOString(), outcome: 'success', ...event },
      '$',
      { boundSource: source },
    );
    await log.sequencer.append([record], source);
    clock.advance(60_000);
  };
  for (let i = 0; i < 3; i++)
    await app('billing-api', {
      actor: { id: 'u-123', name: 'Ada' },
      action: 'customer.read',
      target: { type: 'customer', id: 'c-9' },
    });
  await app('billing-api', {
    actor: { id: 'u-666', name: HOSTILE_NAME },
    action: 'customer.export',
    target: { type: 'customer', id: 'c-9' },
    outcome: 'denied',
  });
  await app('hr-app', { actor: { id: 'u-77' }, action: 'user.sign_in', outcome: 'failure' });
  await as(grace, {
    action: 'principal.role_grant',
    target: { type: 'principal', id: 'p-rita', name: 'rita' },
    category: 'iam',
    details: { role: 'reviewer' },
  });
  const raise = (id: string, rule: string, sources: string[]) =>
    as(system, {
      action: 'alert.raise',
      target: { type: 'alert', id },
      details: { rule, severity: 'high', sources },
    });
  await raise('al-hr', 'failed-sign-ins', ['hr-app']);
  clock.advance(4 * 60_000);
  await as(grace, {
    action: 'alert.acknowledge',
    target: { type: 'alert', id: 'al-hr' },
    details: { rule: 'failed-sign-ins', severity: 'high', from: 'open' },
  });
  clock.advance(16 * 60_000);
  await as(grace, {
    action: 'alert.resolve',
    target: { type: 'alert', id: 'al-hr' },
    details: { rule: 'failed-sign-ins', severity: 'high', disposition: 'true_positive' },
  });
  await raise('al-billing', 'bulk-export', ['billing-api']);
  await as(system, {
    action: 'source.silent',
    target: { type: 'source', id: 'hr-app' },
    details: { silent_since: new Date(clock.now()).toISOString(), alert_id: 'al-3' },
  });
  await as(system, {
    action: 'clock.sync',
    target: { type: 'clock', id: 'server' },
    details: { synchronized: false, method: 'timedatectl', reason: 'NTP not synchronised' },
  });
  // Reviews, in the shape docs/reviews.md gives their events: one signed off with findings,
  // one past due without a sign-off (missed), one not yet due.
  const hour = 3_600_000;
  const open = (id: string, dueMs: number) =>
    as(system, {
      action: 'review.open',
      target: { type: 'review', id },
      details: {
        review_id: id,
        definition_id: 'def-weekly',
        definition_version: 1,
        period_start: new Date(REPORT_START_MS - 7 * 24 * hour).toISOString(),
        period_end: new Date(REPORT_START_MS).toISOString(),
        due_at: new Date(dueMs).toISOString(),
      },
    });
  await open('rv-1', REPORT_START_MS + 2 * hour);
  await open('rv-2', REPORT_START_MS - hour);
  await open('rv-3', REPORT_START_MS + 48 * hour);
  await as(grace, {
    action: 'review.sign_off',
    target: { type: 'review', id: 'rv-1' },
    details: {
      review_id: 'rv-1',
      definition_id: 'def-weekly',
      definition_name: 'weekly-privileged-access',
      kind: 'log',
      late: false,
      decision: 'findings',
      notes: 'one export without a ticket',
      tree_size: 5,
      observations: ['seq:3'],
    },
  });
}
