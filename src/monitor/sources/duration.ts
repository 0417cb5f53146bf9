const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const ORDER = ['d', 'h', 'm', 's', 'ms'] as const;

/**
 * `15m`, `90s`, `1h30m`, `2d`: one or more `<integer><unit>` parts (units ms, s, m, h, d),
 * largest first. Returns milliseconds, or undefined when the text is not such a duration.
 */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > 32) return undefined;
  const parts = /^(?:\d{1,9}(?:ms|s|m|h|d))+$/.test(text)
    ? [...text.matchAll(/(\d+)(ms|s|m|h|d)/g)]
    : [];
  if (parts.length === 0) return undefined;
  let ms = 0;
  let previousRank = -1;
  for (const [, amount, unit] of parts) {
    const rank = ORDER.indexOf(unit as (typeof ORDER)[number]);
    // `1m1h` or `1h1h` is a typo, not a duration.
    if (rank <= previousRank) return undefined;
    previousRank = rank;
    ms += Number(amount) * UNIT_MS[unit!]!;
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The shortest text parseDuration reads back as `ms` (`5400000` → `1h30m`, `0` → `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ORDER) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
