import { ROLE_ACTIONS } from '../../src/access/authorization/permissions.js';
import type { SourceScope } from '../../src/access/authorization/source-scope.js';
import type { Action, Role } from '../../src/access/principal.js';
import { reviewVisible } from '../../src/review/review-scope.js';
import type { Principal } from './session.js';

/**
 * What the signed-in principal may do, decided from its roles with the server's own
 * permission matrix (bundled from src/access), so a page offers exactly the actions the API
 * would allow. The server still decides every request; this only hides what it would refuse.
 */
export function can(principal: Principal, action: Action, sources?: readonly string[]): boolean {
  const allowing = principal.roles.filter((r) =>
    (ROLE_ACTIONS[r.role as Role] ?? []).includes(action),
  );
  if (allowing.length === 0) return false;
  return sources === undefined || reviewVisible(scopeOf(allowing), sources);
}

/** The sources some grants cover together (as the server's scopeOf: `*` or no list is all). */
function scopeOf(grants: Principal['roles']): SourceScope {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const g of grants) {
    if (g.sources === null) return { all: true };
    for (const p of g.sources) {
      if (p === '*') return { all: true };
      if (p.endsWith('*')) prefixes.push(p.slice(0, -1));
      else exact.push(p);
    }
  }
  return { all: false, exact, prefixes };
}

/** A review's reviewers are account ids or one `role:<role>` (as the server's checkReviewer). */
export function isReviewer(principal: Principal, reviewers: readonly string[]): boolean {
  const first = reviewers[0];
  return first?.startsWith('role:')
    ? principal.roles.some((g) => g.role === first.slice('role:'.length))
    : reviewers.includes(principal.id);
}
