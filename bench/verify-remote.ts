/**
 * `evident verify --url` against a server on this machine: verifyRemote as the CLI runs it,
 * timed, with the CPU the verifier and the server each used. Its in-run limit is
 * `verify --data` on the same log (verify.ts): the same leaves and tree without HTTP, JSON
 * and the server's audited page reads.
 */
import { ApiClient } from '../src/client/api-client.js';
import { verifyRemote } from '../src/verify/verify-remote.js';
import { watchCpu } from './machine.js';
import { cpuTime } from './stats.js';

export interface RemoteVerifyResult {
  entries: number;
  seconds: number;
  /** CPU time of this process, all threads. */
  cpuSeconds: number;
  /** Cores the server process used while answering (its pages and their audit events). */
  serverCores: number;
  entriesPerSecond: number;
  /** What was measured: `one page at a time` is how verify --url ran before pages went ahead. */
  label: string;
}

/** The way `verify --url` ran before: one page at a time, checked on the main thread. */
export const ONE_PAGE_AT_A_TIME = { threads: 0, ahead: 1 } as const;

export async function verifyRemoteLog(
  url: string,
  token: string,
  serverPid: number,
  mode: { threads?: number; ahead?: number } = {},
): Promise<RemoteVerifyResult> {
  const client = new ApiClient({ baseUrl: url, token });
  const cpu = process.cpuUsage();
  const server = watchCpu({ server: serverPid });
  const start = performance.now();
  const report = await verifyRemote(client, {
    connection: { baseUrl: url, token },
    ...mode,
  });
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuTime(cpu) / 1e6;
  const serverCores = (server().processes.server ?? 0) / 100;
  if (!report.ok) throw new Error(`verify --url failed: ${JSON.stringify(report.problems[0])}`);
  return {
    entries: report.entriesChecked,
    seconds,
    cpuSeconds,
    serverCores,
    entriesPerSecond: report.entriesChecked / seconds,
    label:
      mode === ONE_PAGE_AT_A_TIME
        ? 'one page at a time, checked on the main thread (as before)'
        : mode.threads === undefined && mode.ahead === undefined
          ? 'as the CLI runs it: 8 pages ahead, worker threads'
          : `threads ${mode.threads ?? 'default'}, ${mode.ahead ?? 8} page(s) ahead`,
  };
}
