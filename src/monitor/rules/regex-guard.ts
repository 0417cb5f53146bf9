/** Longest accepted pattern. */
export const MAX_REGEX_LENGTH = 256;
/** Unbounded quantifiers (`*`, `+`, `{n,}`) per pattern; each can multiply backtracking. */
export const MAX_UNBOUNDED_QUANTIFIERS = 4;

/**
 * Why `pattern` is refused, or undefined. JavaScript regexes backtrack, so a pattern like
 * `(a+)+$` can take exponential time on a crafted field value and stall the monitor. We
 * refuse the constructs that cause that (quantified groups that themselves contain a
 * quantifier or an alternation), backreferences and lookaround (which defeat any bound), and
 * cap the length and the number of unbounded quantifiers. This is a guard, not a proof:
 * rules are written by admins (`rules.manage`), and docs/rules.md says to keep patterns
 * anchored and simple.
 */
export function regexProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_LENGTH) {
    return `regex is longer than ${MAX_REGEX_LENGTH} characters; use prefix/suffix/in where you can`;
  }
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return `regex does not compile: ${(error as Error).message}`;
  }
  // Each open group: did it contain a quantifier or an alternation?
  const groups: { risky: boolean }[] = [];
  let unbounded = 0;
  let lastGroupRisky = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    let closedGroupRisky: boolean | undefined;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences (\\1, \\k<name>) are refused';
      i += 1;
    } else if (ch === '[') {
      // Skip a character class; inside it nothing is a quantifier or a group.
      i += 1;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (ch === '(') {
      if (/^\(\?<?[=!]/.test(pattern.slice(i, i + 4))) {
        return 'lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are refused';
      }
      groups.push({ risky: false });
    } else if (ch === ')') {
      const g = groups.pop();
      closedGroupRisky = g?.risky ?? false;
      if (closedGroupRisky && groups.length > 0) groups[groups.length - 1]!.risky = true;
    } else if (ch === '|') {
      if (groups.length > 0) groups[groups.length - 1]!.risky = true;
    } else if (ch === '*' || ch === '+' || ch === '{' || ch === '?') {
      const quantifier = ch === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i)) : null;
      if (ch === '{' && !quantifier) {
        lastGroupRisky = false; // a literal brace
        continue;
      }
      const isUnbounded =
        ch === '*' ||
        ch === '+' ||
        (quantifier !== null && quantifier[2] !== undefined && quantifier[3] === '');
      const repeats =
        ch !== '?' && !(quantifier && quantifier[2] === undefined && quantifier[1] === '1');
      if (isUnbounded) unbounded += 1;
      if (repeats && lastGroupRisky) {
        return 'a repeated group that contains a quantifier or | (like (a+)+ or (a|b)*) can backtrack exponentially; rewrite it without nesting';
      }
      if (repeats && groups.length > 0) groups[groups.length - 1]!.risky = true;
      if (quantifier) i += quantifier[0].length - 1;
      if (pattern[i + 1] === '?') i += 1; // lazy modifier
    }
    lastGroupRisky = closedGroupRisky ?? false;
  }
  if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
    return `regex has ${unbounded} unbounded quantifiers (*, +, {n,}); at most ${MAX_UNBOUNDED_QUANTIFIERS} are allowed`;
  }
  return undefined;
}
