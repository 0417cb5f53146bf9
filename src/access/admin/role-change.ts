import type { Grant, Role } from '../principal.js';

/** What a new list of grants changes: each role given, taken, or re-scoped. */
export interface GrantDiff {
  granted: Grant[];
  revoked: Grant[];
  /** Same role, other sources: the new grant and the sources it had before. */
  rescoped: { grant: Grant; previous: string[] | undefined }[];
}

export function diffGrants(before: readonly Grant[], after: readonly Grant[]): GrantDiff {
  const old = new Map(before.map((g) => [g.role, g]));
  const next = new Map(after.map((g) => [g.role, g]));
  const diff: GrantDiff = { granted: [], revoked: [], rescoped: [] };
  for (const g of after) {
    const was = old.get(g.role);
    if (!was) diff.granted.push(g);
    else if (!sameSources(was.sources, g.sources)) {
      diff.rescoped.push({ grant: g, previous: was.sources });
    }
  }
  for (const g of before) if (!next.has(g.role)) diff.revoked.push(g);
  return diff;
}

export function isEmptyDiff(diff: GrantDiff): boolean {
  return diff.granted.length + diff.revoked.length + diff.rescoped.length === 0;
}

/** `admin` given or taken by going from `before` to `after` (admin has no scope to change). */
export function adminChangeOf(
  before: readonly Grant[],
  after: readonly Grant[],
): 'admin_grant' | 'admin_revoke' | undefined {
  const had = holds(before, 'admin');
  const has = holds(after, 'admin');
  if (had === has) return undefined;
  return has ? 'admin_grant' : 'admin_revoke';
}

/**
 * The grants `requested` asks for, with `admin` exactly as in `current`: the part of a role
 * change that applies at once. Built from the current document inside compare-and-set, so a
 * concurrent approval's admin change is never undone by it.
 */
export function keepAdminAsIs(current: readonly Grant[], requested: readonly Grant[]): Grant[] {
  const others = requested.filter((g) => g.role !== 'admin');
  return holds(current, 'admin') ? [{ role: 'admin' }, ...others] : others;
}

export function withAdmin(grants: readonly Grant[]): Grant[] {
  return holds(grants, 'admin') ? [...grants] : [{ role: 'admin' }, ...grants];
}

export function withoutAdmin(grants: readonly Grant[]): Grant[] {
  return grants.filter((g) => g.role !== 'admin');
}

export function holds(grants: readonly Grant[], role: Role): boolean {
  return grants.some((g) => g.role === role);
}

function sameSources(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
