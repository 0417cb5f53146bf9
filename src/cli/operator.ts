import { userInfo } from 'node:os';
import { type OpenLog, openLog } from '../log/open-log.js';
import { SelfAudit, type SelfAuditEvent } from '../log/self-audit.js';

/** The person at this machine, as an actor in the log's own events. */
export function operatorPrincipal(): { kind: 'operator'; id: string } {
  let id = 'unknown';
  try {
    id = userInfo().username || id;
  } catch {
    // No passwd entry (containers): keep "unknown" rather than fail the command.
  }
  return { kind: 'operator', id };
}

/** Runs a local admin command against a data folder, recording it in the log it changes. */
export async function withLocalLog<T>(
  location: { dataDir: string; databaseUrl?: string },
  fn: (
    log: OpenLog,
    audit: (event: Omit<SelfAuditEvent, 'principal'>) => Promise<number>,
  ) => Promise<T>,
): Promise<T> {
  const log = await openLog({ ...location, mustExist: true });
  try {
    const selfAudit = new SelfAudit(log.sequencer, log.origin, log.clock);
    return await fn(log, (event) => selfAudit.record({ ...event, principal: operatorPrincipal() }));
  } finally {
    await log.close();
  }
}
