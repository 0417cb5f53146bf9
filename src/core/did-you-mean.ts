/** An allowed name within edit distance 2 (or differing only in case), for typo hints. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  if (key.length > 40) return undefined;
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of allowed) {
    // Both sides compared in lower case: a mixed-case name (a time zone) is found too.
    const other = name.toLowerCase();
    const d = other === lower ? 0 : editDistance(lower, other);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}
