import { createHash } from 'node:crypto';
import type { LogRefusal } from './audit-queue.js';

const MAX_FIELD_CHARS = 200;

function capped(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return value.length > MAX_FIELD_CHARS ? `${value.slice(0, MAX_FIELD_CHARS)}…` : value;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * What the gateway stores in place of an event the log refused on its own (a record over
 * its size limit, a field it rejects): the same id, time, person, action and database, and
 * digests of the statement and of the whole refused event, so whoever holds the statement
 * can show it is the one meant, plus the log's own words. Built only from short, plain
 * fields, so the log takes it where it refused the original.
 */
export function refusedEventStandIn(
  event: object,
  line: string,
  refusal: LogRefusal,
): Record<string, unknown> {
  const original = asRecord(event);
  const actor = asRecord(original.actor);
  const details = asRecord(original.details);
  const target = asRecord(original.target);
  const kept = (record: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(
      keys.flatMap((k) => {
        const v = capped(record[k]);
        return v === undefined ? [] : [[k, v]];
      }),
    );
  const statement = typeof details.statement === 'string' ? details.statement : undefined;
  const refusedDetails: Record<string, unknown> = {
    ...kept(details, ['session', 'protocol', 'upstream_role', 'statement_fingerprint', 'phase']),
    log_refusal: { status: refusal.status, message: capped(refusal.message) ?? '' },
    refused_event_sha256: sha256(line),
  };
  if (statement !== undefined) refusedDetails.statement_sha256 = sha256(statement);
  for (const k of ['rows', 'duration_ms'] as const)
    if (typeof details[k] === 'number') refusedDetails[k] = details[k];
  const sqlstate = capped(details.sqlstate);
  if (sqlstate) refusedDetails.sqlstate = sqlstate;
  return {
    ...kept(original, ['id', 'time', 'action', 'outcome', 'category']),
    actor: { type: 'user', ...kept(actor, ['id', 'name', 'type', 'session', 'ip']) },
    target: { type: 'database', ...kept(target, ['type', 'id']) },
    reason: `the log refused this event (${refusal.status}); it keeps digests of it instead`,
    details: refusedDetails,
  };
}
