import type { SourceScope } from '../access/authorization/source-scope.js';

/**
 * Whether a reader's scope covers a source pattern of a review: every source the pattern
 * can name must be in scope. `billing-*` is covered by `billing-*` or `bill*`, not by
 * `billing-api`; `*` only by an unscoped grant.
 */
export function coversPattern(scope: SourceScope, pattern: string): boolean {
  if (scope.all) return true;
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return scope.prefixes.some((p) => prefix.startsWith(p));
  }
  return scope.exact.includes(pattern) || scope.prefixes.some((p) => pattern.startsWith(p));
}

/**
 * A review (definition or occurrence) is visible to a reader only when the reader sees
 * every source it covers: its items are events of those sources, and a scoped reviewer
 * must never see another source's events. Access reviews cover `*` (every principal).
 */
export function reviewVisible(scope: SourceScope, sources: readonly string[]): boolean {
  return sources.every((p) => coversPattern(scope, p));
}
