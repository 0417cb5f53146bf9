import type { QueryRunner } from '../../store/sql/query-runner.js';
import { activeAdminIds } from '../../store/tables/accounts/accounts-table.js';
import { fourEyesDocument } from '../../store/tables/accounts/four-eyes-document.js';
import type { AccountRecord } from '../accounts/accounts.js';
import type { Grant, Role } from '../principal.js';
import type { AdminActor } from './admin-context.js';
import { credentialsControlledByAdmin } from './credential-control.js';
import { inBootstrapWindow } from './separation.js';

/**
 * "Admins cannot read event contents" holds only if one admin cannot give a reading role to a
 * principal they can sign in as. So a reading role (any scope) for a principal whose
 * credentials an admin controls — every service, and every account whose credentials another
 * set within CREDENTIAL_CONTROL_DAYS — waits for a second admin, like `admin` does. Two
 * exceptions: the bootstrap window (no admin account yet: nobody could approve) and an
 * install that turned four-eyes for reader grants off (four-eyes-settings.ts).
 */
export async function readerGrantsNeedApproval(
  q: QueryRunner,
  actor: AdminActor,
  subject: AccountRecord,
  nowMs: number,
): Promise<boolean> {
  if (!credentialsControlledByAdmin(subject, nowMs)) return false;
  if ((await fourEyesDocument(q))?.readerGrants === 'off') return false;
  return !inBootstrapWindow(actor.principal, await activeAdminIds(q));
}

export function isReadingRole(role: Role): boolean {
  // A gateway reads credentials and policy, never events.
  return role !== 'admin' && role !== 'gateway';
}

/**
 * Splits the reading part of `requested` into what may apply at once (unchanged grants and
 * removals) and what waits (a role given, or re-scoped: widening and narrowing alike, since
 * telling them apart for wildcard patterns is not worth an error). A waiting re-scope keeps
 * its current scope meanwhile.
 */
export function splitReaderGrants(
  current: readonly Grant[],
  requested: readonly Grant[],
): { now: Grant[]; waiting: Grant[] } {
  const now: Grant[] = [];
  const waiting: Grant[] = [];
  for (const grant of requested) {
    if (!isReadingRole(grant.role)) continue;
    const was = current.find((g) => g.role === grant.role);
    if (was && sameScope(was, grant)) now.push(grant);
    else {
      waiting.push(grant);
      if (was) now.push(was);
    }
  }
  return { now, waiting };
}

/** `current` with each of `grants` given, replacing a grant of the same role. */
export function withGrants(current: readonly Grant[], grants: readonly Grant[]): Grant[] {
  const roles = new Set(grants.map((g) => g.role));
  return [...current.filter((g) => !roles.has(g.role)), ...grants];
}

function sameScope(a: Grant, b: Grant): boolean {
  const x = [...new Set(a.sources ?? ['*'])].sort().join('\n');
  const y = [...new Set(b.sources ?? ['*'])].sort().join('\n');
  return x === y;
}
