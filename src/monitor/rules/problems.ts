/**
 * A validation problem in a rule file: where (file:line:col and a JSON-path-like location)
 * and what to fix. Parsing collects every problem instead of stopping at the first, so one
 * `evident rules check` run shows them all.
 */
export interface RuleProblem {
  file: string;
  /** 1-based; 0 when the problem has no position (e.g. a missing layer). */
  line: number;
  col: number;
  /** Like `rules[2].match.action.regex`. */
  path: string;
  message: string;
}

export function formatProblem(p: RuleProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
}

/** Thrown where a caller wants an exception (the server start, the engine's rule loads). */
export class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
  constructor(readonly problems: readonly RuleProblem[]) {
    super(
      `rules are invalid:\n${problems
        .slice(0, 20)
        .map((p) => `  ${formatProblem(p)}`)
        .join('\n')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`,
    );
  }
}

/** `rules[0].match` + `action` → `rules[0].match.action`; keys with dots get brackets. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const part = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return part.startsWith('[') ? `$${part}` : part;
  return part.startsWith('[') ? `${parent}${part}` : `${parent}.${part}`;
}
