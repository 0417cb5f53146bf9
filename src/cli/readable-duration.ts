const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration as a person reads it: `850 ms`, `4.2 s`, `12 min`, `1 h 25 min`, `3 d 4 h`.
 * Two units at most: a clock-skew figure needs its size, not its last millisecond.
 */
export function readableDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ms));
  if (abs < SECOND) return `${sign}${abs} ms`;
  if (abs < 10 * SECOND) return `${sign}${(Math.floor(abs / 100) / 10).toFixed(1)} s`;
  if (abs < MINUTE) return `${sign}${Math.floor(abs / SECOND)} s`;
  if (abs < HOUR) return `${sign}${pair(abs, MINUTE, 'min', SECOND, 's')}`;
  if (abs < DAY) return `${sign}${pair(abs, HOUR, 'h', MINUTE, 'min')}`;
  return `${sign}${pair(abs, DAY, 'd', HOUR, 'h')}`;
}

/** `1 h 25 min`, or `1 h` when the smaller unit rounds down to zero. */
function pair(ms: number, big: number, bigName: string, small: number, smallName: string) {
  const whole = Math.floor(ms / big);
  const rest = Math.floor((ms - whole * big) / small);
  return rest === 0 ? `${whole} ${bigName}` : `${whole} ${bigName} ${rest} ${smallName}`;
}
