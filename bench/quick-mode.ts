/**
 * `npm run bench -- --quick`: the SQLite run's phases at small sizes, for use while
 * developing (2.5 minutes on the 2-core machine). The PostgreSQL half is left out unless
 * BENCH_POSTGRES=1 (then at 20,000 entries; it adds about 1.5 minutes). Only knobs the caller
 * left unset change, and the report goes to .bench-data/quick.md unless BENCH_OUTPUT names a
 * file: BENCHMARKS.md holds full runs only, whose figures are the ones the targets are held to.
 */
const QUICK_DEFAULTS: Record<string, string> = {
  BENCH_ENTRIES: '100000',
  BENCH_SECONDS: '3',
  BENCH_POSTGRES: '0',
  BENCH_PG_ENTRIES: '20000',
  BENCH_MONITOR_ROUNDS: '1',
  BENCH_SYSLOG_MESSAGES: '20000',
  BENCH_ALERT_COUNT: '10000',
  BENCH_ALERTS_PAGES: '50',
  BENCH_WITNESS_ROUNDS: '1',
  BENCH_OUTPUT: '.bench-data/quick.md',
};

/**
 * Applies the quick defaults when `--quick` is on the command line. Returns whether it was,
 * and the knobs it set, so the report's command line shows what the caller typed.
 */
export function applyQuickMode(argv: readonly string[] = process.argv): {
  quick: boolean;
  defaulted: string[];
} {
  if (!argv.includes('--quick')) return { quick: false, defaulted: [] };
  const defaulted: string[] = [];
  for (const [name, value] of Object.entries(QUICK_DEFAULTS)) {
    if (process.env[name]) continue;
    process.env[name] = value;
    defaulted.push(name);
  }
  return { quick: true, defaulted };
}
