/**
 * Runs the PostgreSQL benchmarks alone and prints the "## PostgreSQL" markdown section:
 *   node --import tsx bench/postgres/main.ts [output.md]
 * Knobs: see postgresOptionsFromEnv in run-postgres.ts (BENCH_PG_ENTRIES, BENCH_PG_SECONDS…).
 * The raw results are written beside the markdown as JSON when an output file is given.
 */
import { writeFileSync } from 'node:fs';
import { log } from '../stats.js';
import { postgresMarkdown, postgresOptionsFromEnv, runPostgresBenchmarks } from './run-postgres.js';

const output = process.argv[2];
const results = await runPostgresBenchmarks(postgresOptionsFromEnv());
const markdown = postgresMarkdown(results);
if (output) {
  writeFileSync(output, markdown);
  writeFileSync(output.replace(/(\.md)?$/, '.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`${output} written; whole run ${(results.durationSeconds / 60).toFixed(1)} min`);
}
console.log(markdown);
