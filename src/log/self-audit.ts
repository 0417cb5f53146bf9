import type { Category, Outcome, Sensitivity, SubmittedRecord } from '../core/record/types.js';
import { validateSubmittedRecord } from '../core/record/validate.js';
import type { QueryRunner } from '../store/sql/query-runner.js';
import type { Clock } from '../util/clock.js';
import { SELF_SOURCE } from './self-source.js';
import type { Sequencer } from './sequencer.js';

/**
 * What the self-audit reads of an API principal. access/principal.ts's `Principal` fits it;
 * it is spelled out here so log/ never imports access/ (access/ records through log/).
 */
export type AuditedPrincipal =
  | {
      kind: 'person' | 'service';
      id: string;
      name: string;
      credential:
        | { method: 'bootstrap' }
        | { method: 'token' }
        | { method: 'session'; sessionId: string };
    }
  | { kind: 'ingest'; id: string };

/**
 * Who acted, for the log's own events: a principal of the API, the operator at the
 * machine (local CLI), Evident itself (the monitor), or someone not yet signed in (a
 * failed sign-in names the account that was tried).
 */
export type AuditActor =
  | AuditedPrincipal
  | { kind: 'operator'; id: string }
  | { kind: 'system'; id: string }
  | { kind: 'anonymous'; id: string };

type DetailValue = string | number | boolean | null | string[] | number[];

export interface SelfAuditEvent {
  /**
   * The event id, when the caller must append exactly once across retries (alert handling
   * records its events after the state change; the sequencer stores one id once).
   */
  id?: string;
  principal: AuditActor;
  ip?: string;
  /** Dotted `<object>.<verb>`: `audit_log.search`, `session.sign_in`, `alert.resolve`… */
  action: string;
  target?: { type: string; id: string; name?: string; sensitivity?: Sensitivity };
  /** Default success. Refused and failed attempts are evidence too. */
  outcome?: Outcome;
  reason?: string;
  category?: Category;
  /** Lists of flat objects carry a review's observations and decisions (review.sign_off). */
  details?: Record<
    string,
    DetailValue | Record<string, DetailValue> | Record<string, DetailValue>[]
  >;
}

/**
 * The log audits itself: it records who read it and who changed it, as ordinary events of source
 * `evident`. Callers await the append before answering, so an access is never served
 * without its trace being durable (fail closed).
 */
export class SelfAudit {
  constructor(
    private readonly sequencer: Sequencer,
    private readonly origin: string,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends the event; resolves with its seq once it is durable. Someone waits on it (a read
   * is answered only after its trace is durable), so it commits in a small group of its own
   * ahead of queued ingest instead of inside the next large batch.
   */
  async record(event: SelfAuditEvent): Promise<number> {
    const result = await this.sequencer.append([this.toRecord(event)], SELF_SOURCE, {
      priority: true,
    });
    return result.entries[0]!.seq;
  }

  /**
   * Appends the event and, while the writer thread commits it, runs `answer` on this thread
   * (typically serialising the response): the two overlap instead of adding up. Resolves with
   * the answer only once the event is durable, so nothing is served untraced (fail closed);
   * if the append fails, its error wins and the answer is dropped. If `answer` throws, the
   * event is still awaited first: the attempt is on record, as it is with `record`.
   */
  async recordWhile<T>(event: SelfAuditEvent, answer: () => T): Promise<T> {
    const durable = this.record(event);
    // Awaited below; until then a failed append must not count as an unhandled rejection.
    durable.catch(() => undefined);
    // The sequencer takes its next batch in a setImmediate callback; yielding once lets that
    // batch be planned and handed to the writer before `answer` occupies this thread.
    await new Promise((resolve) => setImmediate(resolve));
    let built: { value: T } | { error: unknown };
    try {
      built = { value: answer() };
    } catch (error) {
      built = { error };
    }
    await durable;
    if ('error' in built) throw built.error;
    return built.value;
  }

  /**
   * Runs `work` inside the log's append transaction: the state it writes through `tx` and the
   * events it returns commit together (entries, tree nodes, signed checkpoint and state rows in
   * one durable transaction) or not at all. `work` decides its events from what it read, and
   * may throw an AppError to refuse: then nothing is written. It must touch the database only
   * through `tx` and have no other side effects (the store may run it again after a conflict).
   * Resolves once durable, with the work's result and the events' seqs in order.
   */
  async recordWithin<T>(
    work: (tx: QueryRunner) => Promise<{ events: readonly SelfAuditEvent[]; result: T }>,
  ): Promise<{ result: T; seqs: number[] }> {
    const { result, appended } = await this.sequencer.appendWithin(SELF_SOURCE, async (tx) => {
      const out = await work(tx);
      return { records: out.events.map((e) => this.toRecord(e)), result: out.result };
    });
    return { result, seqs: appended ? appended.entries.map((e) => e.seq) : [] };
  }

  private toRecord(event: SelfAuditEvent): SubmittedRecord {
    return validateSubmittedRecord(
      {
        ...(event.id !== undefined ? { id: event.id } : {}),
        time: new Date(this.clock.now()).toISOString(),
        actor: actorOf(event),
        action: event.action,
        target: event.target ?? { type: 'audit_log', id: this.origin },
        outcome: event.outcome ?? 'success',
        ...(event.reason !== undefined ? { reason: event.reason } : {}),
        category: event.category ?? 'audit',
        ...(event.details ? { details: event.details } : {}),
      },
      '$',
      { boundSource: SELF_SOURCE },
    );
  }
}

function actorOf(event: SelfAuditEvent): Record<string, string> {
  const p = event.principal;
  const actor: Record<string, string> = { id: p.id, type: actorType(p) };
  if (p.kind === 'person' || p.kind === 'service') {
    actor.name = p.name;
    if (p.credential.method === 'session') actor.session = p.credential.sessionId;
  }
  if (event.ip !== undefined) actor.ip = event.ip;
  return actor;
}

function actorType(actor: AuditActor): string {
  switch (actor.kind) {
    case 'person':
      return 'person';
    case 'service':
      return actor.credential.method === 'bootstrap' ? 'admin_token' : 'service';
    case 'ingest':
      return 'ingest_key';
    case 'operator':
      return 'operator';
    case 'system':
      return 'system';
    case 'anonymous':
      return 'anonymous';
  }
}
