/**
 * The whole BENCHMARKS.md of one run from its parts, and those parts saved as JSON beside the
 * run (.bench-data/last-*.json), so a changed layout can be rendered again from the same
 * measurements without measuring again:
 *   node --import tsx bench/full-report.ts [results folder] [output]
 * (defaults .bench-data and BENCHMARKS.md).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AlertBenchResult, alertsMarkdown } from './alerts.js';
import { type MonitorResults, monitorMarkdown } from './monitor.js';
import { type PostgresResults, postgresMarkdown } from './postgres/run-postgres.js';
import { type PrincipalPageResult, principalsMarkdown } from './principals.js';
import { renderReport, withWholeRun } from './report.js';
import type { RunResults } from './results.js';
import { type SyslogRun, syslogMarkdown } from './rsyslog.js';
import { type WitnessingRun, type WitnessingSetup, witnessingMarkdown } from './witnessing.js';

export interface RunParts {
  results: RunResults;
  monitor?: MonitorResults;
  principals?: readonly PrincipalPageResult[];
  syslog?: readonly SyslogRun[];
  alerts?: AlertBenchResult;
  witnessing?: WitnessingRun[];
  witnessingSetup?: WitnessingSetup;
  postgres?: PostgresResults;
  /** Every phase, PostgreSQL included; known once the run has ended. */
  wholeRunMinutes?: number;
}

/** Each part's file in the results folder. */
const FILES = {
  results: 'last-results.json',
  monitor: 'last-monitor-results.json',
  principals: 'last-principals-results.json',
  syslog: 'last-syslog-results.json',
  alerts: 'last-alerts-results.json',
  witnessing: 'last-witnessing-results.json',
  postgres: 'last-postgres-results.json',
  run: 'last-run.json',
} as const;

export function composeReport(parts: RunParts): string {
  let report = renderReport(parts.results);
  const add = (section: string) => {
    report = `${report.trimEnd()}\n\n${section}`;
  };
  if (parts.monitor) add(monitorMarkdown(parts.monitor));
  if (parts.principals) add(principalsMarkdown(parts.principals));
  if (parts.syslog) add(syslogMarkdown(parts.syslog));
  if (parts.alerts) add(alertsMarkdown(parts.alerts));
  if (parts.witnessing && parts.witnessingSetup) {
    add(witnessingMarkdown(parts.witnessing, parts.witnessingSetup));
  }
  if (parts.postgres) add(postgresMarkdown(parts.postgres));
  return parts.wholeRunMinutes === undefined ? report : withWholeRun(report, parts.wholeRunMinutes);
}

/** At the start of a run: no part of an earlier run may be rendered with this one's. */
export function clearParts(folder: string): void {
  for (const file of Object.values(FILES)) rmSync(join(folder, file), { force: true });
}

/** Writes the parts given (others stay as they are: a run saves each as it finishes). */
export function saveParts(folder: string, parts: Partial<RunParts>): void {
  const write = (file: string, value: unknown) =>
    writeFileSync(join(folder, file), `${JSON.stringify(value, null, 2)}\n`);
  if (parts.results) write(FILES.results, parts.results);
  if (parts.monitor) write(FILES.monitor, parts.monitor);
  if (parts.principals) write(FILES.principals, parts.principals);
  if (parts.syslog) write(FILES.syslog, parts.syslog);
  if (parts.alerts) write(FILES.alerts, parts.alerts);
  if (parts.witnessing) write(FILES.witnessing, parts.witnessing);
  if (parts.postgres) write(FILES.postgres, parts.postgres);
  if (parts.witnessingSetup || parts.wholeRunMinutes !== undefined) {
    const previous = read<Partial<RunParts>>(folder, FILES.run) ?? {};
    write(FILES.run, {
      witnessingSetup: parts.witnessingSetup ?? previous.witnessingSetup,
      wholeRunMinutes: parts.wholeRunMinutes ?? previous.wholeRunMinutes,
    });
  }
}

export function loadParts(folder: string): RunParts {
  const results = read<RunResults>(folder, FILES.results);
  if (!results) throw new Error(`no ${FILES.results} in ${folder}: run npm run bench first`);
  const run = read<Pick<RunParts, 'witnessingSetup' | 'wholeRunMinutes'>>(folder, FILES.run);
  return {
    results,
    monitor: read(folder, FILES.monitor),
    principals: read(folder, FILES.principals),
    syslog: read(folder, FILES.syslog),
    alerts: read(folder, FILES.alerts),
    witnessing: read(folder, FILES.witnessing),
    witnessingSetup: run?.witnessingSetup,
    postgres: read(folder, FILES.postgres),
    wholeRunMinutes: run?.wholeRunMinutes,
  };
}

function read<T>(folder: string, file: string): T | undefined {
  const path = join(folder, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = process.argv[2] ?? '.bench-data';
  const output = process.argv[3] ?? 'BENCHMARKS.md';
  writeFileSync(output, composeReport(loadParts(folder)));
  console.log(`${output} written from ${folder}`);
}
