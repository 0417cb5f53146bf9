import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './processes.js';

export const RSYSLOGD = '/usr/sbin/rsyslogd';

/** Whether Debian's rsyslog (and its GnuTLS driver, for tls) is installed. */
export function rsyslogAvailable(): boolean {
  return existsSync(RSYSLOGD) && spawnSync(RSYSLOGD, ['-v']).status === 0;
}

export interface RsyslogOptions {
  dir: string;
  /** Where to forward (omfwd, octet-counted RFC 5424). */
  forwardPort: number;
  /** Forward over TLS (gtls driver), verifying the server as CN/SAN evident.test. */
  tls?: { caFile: string; certFile: string; keyFile: string };
}

export interface Rsyslog {
  /** imtcp port: what is written here is both forwarded and written to `file`. */
  inputPort: number;
  /** The omfile output: the same messages, as rsyslog writes them to disk. */
  file: string;
  stop(): Promise<void>;
}

/**
 * Runs rsyslogd as our own process with a private config (no system syslog): imtcp in, one
 * ruleset writing every message to a file AND forwarding it with omfwd, behind a disk-less
 * queue that retries forever (so a slow receiver is waited for, not dropped).
 */
export async function startRsyslog(options: RsyslogOptions): Promise<Rsyslog> {
  const work = join(options.dir, 'rsyslog-work');
  mkdirSync(work, { recursive: true });
  const inputPort = await freePort();
  const file = join(options.dir, 'rsyslog-out.log');
  const tls = options.tls;
  const conf = join(options.dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    `global(workDirectory="${work}" maxMessageSize="64k"${
      tls
        ? ` defaultNetstreamDriverCAFile="${tls.caFile}" defaultNetstreamDriverCertFile="${tls.certFile}" defaultNetstreamDriverKeyFile="${tls.keyFile}"`
        : ''
    })
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="${inputPort}" ruleset="fanout")
ruleset(name="fanout") {
  action(type="omfile" file="${file}" template="RSYSLOG_FileFormat")
  action(type="omfwd" target="127.0.0.1" port="${options.forwardPort}" protocol="tcp"
         template="RSYSLOG_SyslogProtocol23Format" tcp_framing="octet-counted"${
           tls
             ? ' streamDriver="gtls" streamDriverMode="1" streamDriverAuthMode="x509/name" streamDriverPermittedPeers="evident.test"'
             : ''
}
         queue.type="LinkedList" queue.size="500000" action.resumeRetryCount="-1" action.resumeInterval="1")
}
`,
  );
  const pidFile = join(options.dir, 'rsyslogd.pid');
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', pidFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready when imtcp accepts a connection.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited: ${stderr}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(inputPort, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rsyslogd did not open its input: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    inputPort,
    file,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Writes lines into rsyslog's imtcp input (newline framing), waiting for the socket to drain. */
export async function sendLines(port: number, lines: Iterable<string>): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  for (const line of lines) {
    if (!socket.write(`${line}\n`)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

/** Lines in a file (0 when it does not exist yet). */
export function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file);
  let n = 0;
  for (const b of text) if (b === 0x0a) n++;
  return n;
}
