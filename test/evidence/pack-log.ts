/**
 * A data folder holding a small log with what a pack reports on: application accesses from
 * two sources (one with a skewed clock), access changes, an alert raised, acknowledged and
 * resolved, a silence; appended in-process with a clock inside the first quarter of 2026.
 */
import { validateSubmittedRecord } from '../../src/core/record/validate.js';
import { META_VERIFIER_KEY } from '../../src/log/init-log.js';
import { openLog } from '../../src/log/open-log.js';
import { SelfAudit, type SelfAuditEvent } from '../../src/log/self-audit.js';
import { ManualClock } from '../../src/util/clock.js';

export const QUARTER_START_MS = Date.parse('2026-02-02T09:00:00.000Z');

export async function makePackLog(
  dataDir: string,
  origin: string,
  databaseUrl?: string,
): Promise<{ verifierKey: string }> {
  const clock = new ManualClock(Date.parse('2025-12-20T09:00:00.000Z'));
  const log = await openLog({ dataDir, origin, clock, ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    const audit = new SelfAudit(log.sequencer, log.origin, clock);
    const operator = { kind: 'operator' as const, id: 'ops' };
    const admin = {
      kind: 'person' as const,
      id: 'p-grace',
      name: 'grace',
      credential: { method: 'token' as const },
    };
    const as = (principal: SelfAuditEvent['principal'], e: Omit<SelfAuditEvent, 'principal'>) =>
      audit.record({ ...e, principal });
    const app = async (source: string, event: Record<string, unknown>, skewMs = 0) => {
      const time = new Date(clock.now() - skewMs).toISOString();
      const record = validateSubmittedRecord({ time, outcome: 'success', ...event }, '$', {
        boundSource: source,
      });
      await log.sequencer.append([record], source);
    };

    // Before the period: not in its reports, but in the tree.
    await app('billing-api', {
      actor: { id: 'u-old' },
      action: 'customer.read',
      target: { type: 'customer', id: 'c-1' },
    });
    clock.set(QUARTER_START_MS);
    for (let i = 0; i < 3; i++) {
      await app('billing-api', {
        actor: { id: 'u-123', name: 'Ada' },
        action: 'customer.read',
        target: { type: 'customer', id: 'c-9' },
      });
      clock.advance(60_000);
    }
    await app('billing-api', {
      actor: { id: 'u-456' },
      action: 'customer.update',
      target: { type: 'customer', id: 'c-9' },
      outcome: 'denied',
    });
    await app(
      'hr-app',
      {
        actor: { id: 'u-77' },
        action: 'user.sign_in',
        outcome: 'failure',
        category: 'authentication',
      },
      10 * 60_000,
    );
    await as(operator, {
      action: 'principal.create',
      target: { type: 'principal', id: 'p-rita', name: 'rita' },
      category: 'iam',
    });
    await as(admin, {
      action: 'principal.role_grant',
      target: { type: 'principal', id: 'p-rita', name: 'rita' },
      category: 'iam',
      details: { role: 'reviewer' },
    });
    await as(admin, {
      action: 'approval.approve',
      target: { type: 'approval', id: 'ap-1' },
      category: 'iam',
    });
    await as(admin, {
      action: 'token.create',
      target: { type: 'token', id: 't-1' },
      category: 'iam',
    });
    await as(admin, { action: 'principal.list', category: 'iam' });
    const alert = { type: 'alert', id: 'al-1' };
    const monitor = { kind: 'system' as const, id: 'monitor' };
    await as(monitor, {
      action: 'alert.raise',
      target: alert,
      details: { rule: 'iso.failed-sign-ins', severity: 'high' },
    });
    clock.advance(5 * 60_000);
    await as(admin, {
      action: 'alert.acknowledge',
      target: alert,
      details: { rule: 'iso.failed-sign-ins', severity: 'high', from: 'open' },
    });
    clock.advance(25 * 60_000);
    await as(admin, {
      action: 'alert.resolve',
      target: alert,
      details: {
        rule: 'iso.failed-sign-ins',
        severity: 'high',
        from: 'acknowledged',
        disposition: 'true_positive',
        note: 'reset',
      },
    });
    await as(monitor, {
      action: 'source.silent',
      target: { type: 'source', id: 'hr-app' },
      details: { silent_since: new Date(clock.now()).toISOString(), alert_id: 'al-2' },
    });
    // After the period.
    clock.set(Date.parse('2026-04-02T09:00:00.000Z'));
    await app('billing-api', {
      actor: { id: 'u-new' },
      action: 'customer.read',
      target: { type: 'customer', id: 'c-2' },
    });
    return { verifierKey: (await log.store.getMeta(META_VERIFIER_KEY))! };
  } finally {
    await log.close();
  }
}
