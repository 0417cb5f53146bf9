import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/processes.js';

const BIN = '/usr/lib/postgresql/15/bin';

/** True when Debian's PostgreSQL 15 server and pgAudit are installed. */
export const PGAUDIT_AVAILABLE =
  existsSync(join(BIN, 'initdb')) && existsSync('/usr/lib/postgresql/15/lib/pgaudit.so');

export interface ThrowawayCluster {
  port: number;
  /** Everything the server logged so far (csvlog). */
  csvlog(): string;
  stop(): void;
}

/**
 * A PostgreSQL 15 cluster of its own on a free port, with pgAudit loaded and csvlog output:
 * the shared test server must not be reconfigured (shared_preload_libraries needs a restart).
 * initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
export async function startPgauditCluster(): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'evident-pgaudit-'));
  chmodSync(dir, 0o777);
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : join(BIN, command),
      asRoot ? ['-u', 'postgres', '--', join(BIN, command), ...args] : args,
      {
        stdio: 'pipe',
      },
    );
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    `
port = ${port}
listen_addresses = '127.0.0.1'
unix_socket_directories = '${dir}'
fsync = off
shared_preload_libraries = 'pgaudit'
pgaudit.log = 'read, write'
logging_collector = on
log_destination = 'csvlog'
log_directory = '${join(dir, 'log')}'
log_filename = 'postgresql'
`,
  );
  run('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'startup.log'), 'start']);
  return {
    port,
    csvlog: () => {
      const file = join(dir, 'log', 'postgresql.csv');
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    },
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
