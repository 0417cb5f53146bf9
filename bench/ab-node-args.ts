/**
 * Node flags for one side of an A/B run (single-ab.ts, ingest-ab.ts):
 *   BENCH_AB_NODE_ARGS_AFTER="<flags>"  for the after side only, so one build run twice
 *                                       compares a runtime setting (--max-semi-space-size=32)
 *   a profile folder adds --cpu-prof (bench/cpu-profile.ts summarises it)
 */
const AFTER = (process.env.BENCH_AB_NODE_ARGS_AFTER ?? '').split(' ').filter(Boolean);

export function abNodeArgs(side: 'before' | 'after', profileDir?: string): string[] {
  return [
    ...(side === 'after' ? AFTER : []),
    ...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir]),
  ];
}
