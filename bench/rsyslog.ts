/**
 * Syslog in (issue 16): Debian's rsyslog takes N messages on imtcp and, in the same ruleset,
 * writes each to a file (omfile) AND forwards it (omfwd, octet-counted RFC 5424) to
 * `evident serve --syslog`, over TCP and over TLS. Both clocks start when the first line is
 * sent; rsyslog's rate is how fast its file held all N, Evident's how fast all N were
 * committed (fsynced, under a signed checkpoint). Goal: Evident ≥ 25% of rsyslog's rate.
 * Every message is then checked to be stored exactly once.
 *   BENCH_SYSLOG_MESSAGES  messages per transport (default 100000)
 * Alone: node --import tsx bench/rsyslog.ts (prints the BENCHMARKS.md section).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createIngestKey } from '../src/access/credentials/ingest-keys.js';
import { openLog } from '../src/log/open-log.js';
import { systemClock } from '../src/util/clock.js';
import { freePort } from '../test/support/processes.js';
import { countLines, rsyslogAvailable, sendLines, startRsyslog } from '../test/support/rsyslog.js';
import { makeTestPki } from '../test/support/test-ca.js';
import { buildServer, type ServerMode, spawnEvidentServe } from './server.js';
import { log } from './stats.js';

export interface SyslogRun {
  transport: 'tcp' | 'tls';
  messages: number;
  rsyslogFileSeconds: number;
  evidentSeconds: number;
  rsyslogPerSecond: number;
  evidentPerSecond: number;
  /** Evident's rate as a share of rsyslog's file rate. */
  share: number;
  missing: number;
  duplicated: number;
  raw: number;
}

function line(i: number): string {
  return i % 2 === 0
    ? `<38>Nov 22 09:14:03 web${i % 7} sshd[${i}]: Failed password for u${i} from 10.0.${i % 250}.7 port ${i % 65535} ssh2`
    : `<86>Nov 22 09:14:03 web${i % 7} sudo:    u${i} : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/bin/true`;
}

async function runOne(options: {
  mode: ServerMode;
  main: string;
  dir: string;
  messages: number;
  transport: 'tcp' | 'tls';
}): Promise<SyslogRun> {
  const { dir, messages, transport } = options;
  mkdirSync(dir, { recursive: true });
  const pki = makeTestPki(dir);
  const dataDir = join(dir, 'data');
  const opened = await openLog({ dataDir, origin: 'evident.bench/syslog' });
  const key = await createIngestKey(opened.store, systemClock, 'linux-hosts');
  await opened.close();
  const port = await freePort();
  const listen =
    transport === 'tcp'
      ? `tcp://127.0.0.1:${port}?key=${key.row.id}`
      : `tls://127.0.0.1:${port}?key=${key.row.id}&client_ca=${encodeURIComponent(pki.caFile)}&client_cn=web1`;
  const server = await spawnEvidentServe(options, dataDir, [
    '--no-monitor',
    '--syslog',
    listen,
    '--syslog-cert',
    pki.serverCert,
    '--syslog-key',
    pki.serverKey,
  ]);
  const db = new Database(join(dataDir, 'evident.db'), { readonly: true, fileMustExist: true });
  const count = db.prepare("SELECT COUNT(*) AS n FROM entries WHERE source = 'linux-hosts'");
  const committed = () => (count.get() as { n: number }).n;
  const rsyslog = await startRsyslog({
    dir,
    forwardPort: port,
    ...(transport === 'tls'
      ? { tls: { caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey } }
      : {}),
  });
  let fileAt = 0;
  let evidentAt = 0;
  const started = performance.now();
  try {
    const sending = sendLines(
      rsyslog.inputPort,
      (function* () {
        for (let i = 0; i < messages; i++) yield line(i);
      })(),
    );
    while (fileAt === 0 || evidentAt === 0) {
      if (fileAt === 0 && countLines(rsyslog.file) >= messages) fileAt = performance.now();
      if (evidentAt === 0 && committed() >= messages) evidentAt = performance.now();
      if (performance.now() - started > 600_000)
        throw new Error(`timed out: file ${countLines(rsyslog.file)}, evident ${committed()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await sending;
  } finally {
    await rsyslog.stop();
  }
  await new Promise((r) => setTimeout(r, 500));
  const seen = new Map<string, number>();
  let raw = 0;
  for (const row of db
    .prepare("SELECT record FROM entries WHERE source = 'linux-hosts'")
    .iterate() as Iterable<{ record: string }>) {
    const r = JSON.parse(row.record) as { action: string; actor: { id: string } };
    if (r.action === 'syslog.raw') raw++;
    seen.set(r.actor.id, (seen.get(r.actor.id) ?? 0) + 1);
  }
  db.close();
  await server.stop();
  let missing = 0;
  let duplicated = 0;
  for (let i = 0; i < messages; i++) {
    const n = seen.get(`u${i}`) ?? 0;
    if (n === 0) missing++;
    if (n > 1) duplicated++;
  }
  const rsyslogFileSeconds = (fileAt - started) / 1000;
  const evidentSeconds = (evidentAt - started) / 1000;
  return {
    transport,
    messages,
    rsyslogFileSeconds,
    evidentSeconds,
    rsyslogPerSecond: messages / rsyslogFileSeconds,
    evidentPerSecond: messages / evidentSeconds,
    share: rsyslogFileSeconds / evidentSeconds,
    missing,
    duplicated,
    raw,
  };
}

export async function syslogForward(options: {
  mode: ServerMode;
  main: string;
  dir: string;
  messages: number;
}): Promise<SyslogRun[]> {
  if (!rsyslogAvailable())
    throw new Error('rsyslogd is not installed (apt-get install rsyslog rsyslog-gnutls)');
  const runs: SyslogRun[] = [];
  for (const transport of ['tcp', 'tls'] as const) {
    log(`  rsyslog → evident over ${transport}, ${options.messages} messages`);
    runs.push(await runOne({ ...options, dir: join(options.dir, transport), transport }));
  }
  return runs;
}

export function syslogMarkdown(runs: readonly SyslogRun[]): string {
  const int = (n: number) => Math.round(n).toLocaleString('en-US');
  const rows = runs
    .map(
      (r) =>
        `| ${r.transport} | ${int(r.messages)} | ${int(r.rsyslogPerSecond)} (${r.rsyslogFileSeconds.toFixed(1)} s) | ${int(r.evidentPerSecond)} (${r.evidentSeconds.toFixed(1)} s) | ${(r.share * 100).toFixed(0)}% | ${r.missing} / ${r.duplicated} / ${r.raw} |`,
    )
    .join('\n');
  return `## Syslog in: rsyslog forwarding to serve --syslog

Debian's rsyslog (our own rsyslogd process, private config) takes the messages on imtcp and,
in one ruleset, writes each to a file (omfile) and forwards it (omfwd, octet-counted RFC
5424, LinkedList queue retrying forever) to \`evident serve --syslog\`. Both clocks start
when the first line is sent. rsyslog's file is written without fsync; Evident's count is of
events committed (fsynced, covered by a signed checkpoint). Half the lines are sshd failed
logins, half sudo commands; all are mapped by the built-in maps. Goal: ≥ 25% of rsyslog.

| transport | messages | rsyslog → file, msg/s | rsyslog → Evident, msg/s | share | missing / twice / raw |
| --- | ---: | ---: | ---: | ---: | --- |
${rows}
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = resolve('.bench-data', `syslog-${process.pid}`);
  const mode: ServerMode = process.env.BENCH_SERVER === 'tsx' ? 'tsx' : 'compiled';
  try {
    const runs = await syslogForward({
      mode,
      main: mode === 'compiled' ? buildServer(join(dir, 'dist')) : '',
      dir,
      messages: Number(process.env.BENCH_SYSLOG_MESSAGES || 100_000),
    });
    console.log(syslogMarkdown(runs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
