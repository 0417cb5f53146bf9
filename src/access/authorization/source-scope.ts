import { AppError } from '../../errors.js';
import { SOURCE_PATTERN } from '../credentials/ingest-keys.js';

/**
 * Which sources a decision covers: every source, or those matching some patterns (exact
 * names, or prefixes written `billing-*`). Search filters and per-resource checks share it.
 */
export type SourceScope = { all: true } | { all: false; exact: string[]; prefixes: string[] };

export const ALL_SOURCES: SourceScope = { all: true };

/** A pattern is a source name, optionally ending in `*` (a prefix match). */
export function parseSourcePattern(pattern: string, path = 'sources'): string {
  const prefix = pattern.endsWith('*') ? pattern.slice(0, -1) : pattern;
  const valid = pattern.endsWith('*')
    ? prefix === '' || /^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$/.test(prefix)
    : SOURCE_PATTERN.test(pattern);
  if (!valid) {
    throw new AppError(
      'invalid_source_name',
      `source pattern "${pattern}" must be a source name (letters, digits, '.', '_', '-') optionally ending in '*', like "billing-*"`,
      { path },
    );
  }
  return pattern;
}

/** The union of some grants' patterns; one `*` (or an unscoped grant) means every source. */
export function scopeOf(patternLists: readonly (readonly string[] | undefined)[]): SourceScope {
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  for (const patterns of patternLists) {
    if (patterns === undefined) return ALL_SOURCES;
    for (const p of patterns) {
      if (p === '*') return ALL_SOURCES;
      if (p.endsWith('*')) prefixes.add(p.slice(0, -1));
      else exact.add(p);
    }
  }
  return { all: false, exact: [...exact], prefixes: [...prefixes] };
}

export function inScope(scope: SourceScope, source: string): boolean {
  if (scope.all) return true;
  return scope.exact.includes(source) || scope.prefixes.some((p) => source.startsWith(p));
}

/** Patterns as written, for self-audit details and whoami. */
export function describeScope(scope: SourceScope): string[] {
  return scope.all ? ['*'] : [...scope.exact, ...scope.prefixes.map((p) => `${p}*`)];
}
