import { inAdminChange } from '../access/admin/admin-change.js';
import type { AdminActor, AdminContext } from '../access/admin/admin-context.js';
import type { ApprovalRecord } from '../access/admin/approval.js';
import { openApproval } from '../access/admin/request-approval.js';
import { AppError } from '../errors.js';
import { allHolds, holdById, insertHold } from '../store/tables/retention/legal-holds-table.js';
import type { HoldCriteria, LegalHold } from './hold.js';

/** The action of the event that places a hold; verify replays these to judge each purge. */
export const HOLD_PLACE_ACTION = 'legal_hold.place';
/** The action of the event that releases a hold (on a second person's approval). */
export const HOLD_RELEASE_ACTION = 'legal_hold.release';

export interface HoldRequest extends HoldCriteria {
  matter: string;
  reason: string;
}

/** Approvals are about a subject: a hold's subject is the hold. */
export function holdSubject(hold: Pick<LegalHold, 'id' | 'matter'>) {
  return { id: `hold:${hold.id}`, name: `legal hold ${hold.id} (${hold.matter})` };
}

export function holdTarget(hold: Pick<LegalHold, 'id' | 'matter'>) {
  return { type: 'legal_hold', id: hold.id, name: `legal hold (${hold.matter})` };
}

/**
 * Legal holds (/api/v1/holds, `evident holds`): placing one applies at once, as an event;
 * releasing one waits for a second person (a `hold_release` approval).
 */
export class LegalHoldService {
  constructor(private readonly admin: AdminContext) {}

  list(): Promise<LegalHold[]> {
    return allHolds(this.admin.store.state);
  }

  place(actor: AdminActor, request: HoldRequest): Promise<LegalHold> {
    validHold(request);
    return inAdminChange(this.admin, actor, async (change) => {
      const hold: LegalHold = {
        ...request,
        id: this.admin.newId(change.nowMs),
        placedAtMs: change.nowMs,
        placedBy: actor.principal.name,
        releasedAtMs: null,
        releasedBy: null,
        version: 1,
      };
      await insertHold(change.tx, hold);
      change.record({
        action: HOLD_PLACE_ACTION,
        category: 'config',
        target: holdTarget(hold),
        reason: hold.reason,
        details: holdDetails(hold),
      });
      return hold;
    });
  }

  /** Opens the four-eyes request that releases `id`; a different person approves it. */
  requestRelease(actor: AdminActor, id: string, reason: string | null): Promise<ApprovalRecord> {
    return inAdminChange(this.admin, actor, async (change) => {
      const hold = await holdById(change.tx, id);
      if (!hold) throw new AppError('not_found', `no legal hold ${id}`);
      if (hold.releasedAtMs !== null) {
        throw new AppError('hold_released', `legal hold ${id} is already released`);
      }
      return openApproval(change, this.admin, {
        kind: 'hold_release',
        subject: holdSubject(hold),
        reason,
        pendingProblem: 'already asks to release this hold',
        details: { hold_id: hold.id },
      });
    });
  }
}

/** What a hold's events carry: everything verify needs to replay it. */
export function holdDetails(hold: LegalHold): Record<string, string | number | null> {
  return {
    hold_id: hold.id,
    matter: hold.matter,
    hold_source: hold.source,
    actor_id: hold.actorId,
    target_id: hold.targetId,
    from_ms: hold.fromMs,
    to_ms: hold.toMs,
  };
}

function validHold(request: HoldRequest): void {
  const { source, actorId, targetId, fromMs, toMs } = request;
  if (
    source === null &&
    actorId === null &&
    targetId === null &&
    fromMs === null &&
    toMs === null
  ) {
    throw new AppError(
      'invalid_field',
      'a hold must name at least one of source, actor_id, target_id, from or to; a hold on everything is a policy change',
      { path: '$' },
    );
  }
  if (fromMs !== null && toMs !== null && fromMs > toMs) {
    throw new AppError('invalid_field', 'from is after to; give a range whose start comes first', {
      path: '$.from',
    });
  }
  if (request.matter.trim() === '') {
    throw new AppError('invalid_field', 'matter must name the matter the hold is for', {
      path: '$.matter',
    });
  }
}
