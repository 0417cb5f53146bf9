import { parseGrants } from '../access/accounts/accounts.js';
import type { AdminActor } from '../access/admin/admin-context.js';
import { grantLabels } from '../access/admin/admin-events.js';
import type { PrincipalDirectory } from '../access/admin/principal-directory.js';
import type { SourceScope } from '../access/authorization/source-scope.js';
import type { AccountPrincipal } from '../access/principal.js';
import { toBase64 } from '../core/bytes.js';
import { AppError } from '../errors.js';
import type { SelfAuditEvent } from '../log/self-audit.js';
import type { QueryRunner } from '../store/sql/query-runner.js';
import { insertNote, notesOf } from '../store/tables/reviews/review-notes-table.js';
import {
  occurrenceById,
  replaceOccurrence,
} from '../store/tables/reviews/review-occurrences-table.js';
import {
  type AccessSnapshot,
  accessSnapshot,
  sealSnapshot,
  snapshotSubjects,
} from './access-snapshot.js';
import { logItems } from './log-items.js';
import { noteJson, reviewTarget, signOffEvent, startEvent } from './review-events.js';
import { pinned, type ReviewActor, type ReviewService } from './review-service.js';
import type {
  AccessDecision,
  Decision,
  ReviewNote,
  ReviewOccurrence,
  ReviewPin,
} from './review-types.js';

export const MAX_NOTE = 4000;

/**
 * Working a review: start (pin), observe, decide (access), sign off, countersign, correct.
 * Each change is one transaction with its `review.*` event, judged against the occurrence
 * read locked inside it, so a signed-off occurrence is never changed after the fact.
 */
export class ReviewWork {
  constructor(
    private readonly reviews: ReviewService,
    /** Applies access decisions through the principal administration (four-eyes included). */
    private readonly principals: Pick<PrincipalDirectory, 'setRoles'>,
  ) {}

  private get deps() {
    return this.reviews.deps;
  }

  /** Pins the occurrence to the log's head now and fixes its items (or access snapshot). */
  async start(id: string, scope: SourceScope, by: ReviewActor): Promise<ReviewOccurrence> {
    const before = await this.reviews.visibleOccurrence(id, scope);
    checkReviewer(before, by.principal);
    editable(before);
    if (before.status !== 'open') throw notInState(before, 'started');
    const head = await this.deps.store.head();
    if (!head) throw new AppError('log_not_initialised', 'the log has no checkpoint yet');
    const now = this.deps.clock.now();
    const spec = before.definition;
    let pin: ReviewPin;
    const common = {
      startedAtMs: now,
      startedBy: by.principal.id,
      treeSize: head.size,
      rootHash: toBase64(head.rootHash),
      checkpoint: head.checkpoint.note,
    };
    if (spec.kind === 'log') {
      const items = await logItems(
        this.deps.store,
        spec,
        { fromMs: before.periodStartMs, toMs: before.periodEndMs },
        head.size,
      );
      pin = {
        ...common,
        items: items.seqs,
        itemsSha256: items.sha256,
        itemCount: items.seqs.length,
        actors: items.actors,
        snapshot: null,
        snapshotSha256: null,
      };
    } else {
      const accounts = await this.deps.accounts.list();
      const tokens = (
        await Promise.all(accounts.map((a) => this.deps.tokens.forAccount(a.id)))
      ).flat();
      const snapshot = accessSnapshot(accounts, tokens, spec.filter.role);
      const sealed = sealSnapshot(snapshot);
      pin = {
        ...common,
        items: null,
        itemsSha256: null,
        itemCount: snapshot.principals.length,
        actors: [],
        snapshot: sealed.text,
        snapshotSha256: sealed.sha256,
      };
    }
    return this.change(id, (o) => {
      if (o.status !== 'open') throw notInState(o, 'started');
      const next: ReviewOccurrence = { ...o, status: 'in_progress', pin, version: o.version + 1 };
      return { next, events: [startEvent(next, by)] };
    });
  }

  /** A note on one item (or the whole review); with `openAlert`, an alert raised from it. */
  async observe(
    id: string,
    input: { item: string; note: string; openAlert: boolean },
    scope: SourceScope,
    by: ReviewActor,
  ): Promise<ReviewNote> {
    const o = await this.reviews.visibleOccurrence(id, scope);
    checkReviewer(o, by.principal);
    editable(o);
    const pin = pinned(o);
    const seq = checkItem(o, pin, input.item);
    const now = this.deps.clock.now();
    const noteId = this.deps.ids(now);
    let alertId: string | null = null;
    if (input.openAlert) {
      const entry = seq === undefined ? undefined : await this.deps.store.entryBySeq(seq);
      const raised = await this.deps.alerts.raise({
        key: `review.finding:${o.id}:${noteId}`,
        ruleId: 'review.finding',
        title: `Finding in review "${o.definition.name}": ${input.note.slice(0, 120)}`,
        description: input.note,
        severity: 'medium',
        seqs: seq === undefined ? [] : [seq],
        sources: entry ? [entry.source] : [...o.definition.sources],
        triggeredAtMs: now,
      });
      alertId = raised.id;
    }
    const note: ReviewNote = {
      id: noteId,
      occurrenceId: o.id,
      kind: 'observation',
      item: input.item,
      note: input.note,
      decision: null,
      roles: null,
      alertId,
      approvalId: null,
      eventId: null,
      by: by.principal.id,
      atMs: now,
    };
    await this.change(id, (current, tx) => ({
      next: editable(current),
      write: () => insertNote(tx, note),
      events: [
        {
          ...by,
          action: 'review.observe',
          target: reviewTarget(current),
          details: { review_id: id, observation_id: note.id, ...noteJson(note) },
        },
      ],
    }));
    return note;
  }

  /**
   * An access decision on one principal: keep, revoke (every role) or change (to `roles`).
   * Revoke and change go through the principal administration as the reviewer, so they
   * need `principals.manage` (the route checks it) and open a four-eyes request where a
   * role change would.
   */
  async decide(
    id: string,
    input: { item: string; decision: AccessDecision; roles?: unknown; note: string },
    scope: SourceScope,
    by: ReviewActor & AdminActor,
  ): Promise<ReviewNote> {
    const o = await this.reviews.visibleOccurrence(id, scope);
    checkReviewer(o, by.principal);
    editable(o);
    if (o.definition.kind !== 'access') {
      throw new AppError(
        'review_not_in_state',
        `review ${id} is a log review; decisions are for access reviews (observe instead)`,
      );
    }
    const pin = pinned(o);
    checkItem(o, pin, input.item);
    if (!input.item.startsWith('principal:')) {
      throw new AppError(
        'invalid_field',
        'decide on a principal ("principal:<id>"): roles belong to principals',
        { path: 'item' },
      );
    }
    const subject = input.item.slice('principal:'.length);
    let roles: string[] | null = null;
    let approvalId: string | null = null;
    if (input.decision === 'change' && input.roles === undefined) {
      throw new AppError('missing_field', 'a "change" decision needs the roles to keep: "roles"', {
        path: 'roles',
      });
    }
    if (input.decision !== 'change' && input.roles !== undefined) {
      throw new AppError(
        'conflicting_fields',
        `"roles" goes with a "change" decision, not "${input.decision}"`,
        { path: 'roles' },
      );
    }
    if (input.decision !== 'keep') {
      const grants = input.decision === 'revoke' ? [] : parseGrants(input.roles, 'roles');
      roles = grantLabels(grants);
      const reason = `review ${o.definition.name} (${id}): ${input.note}`.slice(0, 1000);
      const change = await this.principals.setRoles(by, subject, grants, reason);
      approvalId = change.approval?.id ?? null;
    }
    const now = this.deps.clock.now();
    const note: ReviewNote = {
      id: this.deps.ids(now),
      occurrenceId: o.id,
      kind: 'decision',
      item: input.item,
      note: input.note,
      decision: input.decision,
      roles,
      alertId: null,
      approvalId,
      eventId: null,
      by: by.principal.id,
      atMs: now,
    };
    await this.change(id, (current, tx) => ({
      next: editable(current),
      write: () => insertNote(tx, note),
      events: [
        {
          ...by,
          action: 'review.decide',
          target: reviewTarget(current),
          details: {
            review_id: id,
            item: note.item,
            decision: input.decision,
            roles,
            note: note.note,
            approval_id: approvalId,
          },
        },
      ],
    }));
    return note;
  }

  /**
   * Signs the review off with its decision: one `review.sign_off` event carrying the pin,
   * the hashes and every observation and decision. Refused when the reviewed scope holds
   * the signer's own actions or grants.
   */
  async signOff(
    id: string,
    input: { decision: Decision; notes: string },
    scope: SourceScope,
    by: ReviewActor,
  ): Promise<ReviewOccurrence> {
    const o = await this.reviews.visibleOccurrence(id, scope);
    checkReviewer(o, by.principal);
    editable(o);
    pinned(o);
    const now = this.deps.clock.now();
    const eventId = this.deps.ids(now);
    return this.change(id, async (current, tx) => {
      editable(current);
      if (current.status !== 'in_progress') throw notInState(current, 'signed off');
      separationOfDuties(current, by.principal);
      const next: ReviewOccurrence = {
        ...current,
        status: current.definition.countersign ? 'awaiting_countersign' : 'signed_off',
        signOff: {
          atMs: now,
          by: by.principal.id,
          eventId,
          decision: input.decision,
          notes: input.notes,
        },
        version: current.version + 1,
      };
      const notes = await notesOf(tx, id);
      return { next, events: [signOffEvent(next, notes, { ...by, id: eventId })] };
    });
  }

  /** The second signature, by a different person, who must not be in the scope either. */
  async countersign(
    id: string,
    input: { notes: string },
    scope: SourceScope,
    by: ReviewActor,
  ): Promise<ReviewOccurrence> {
    const o = await this.reviews.visibleOccurrence(id, scope);
    checkReviewer(o, by.principal);
    const now = this.deps.clock.now();
    return this.change(id, (current) => {
      if (current.status !== 'awaiting_countersign') {
        if (current.status === 'signed_off') throw signedOff(current);
        throw notInState(
          current,
          'countersigned (it needs a sign-off first, and a definition that asks for a countersign)',
        );
      }
      if (current.signOff!.by === by.principal.id) {
        throw new AppError(
          'countersign_by_signer',
          `you signed review ${id} off; a countersign needs a different person`,
        );
      }
      separationOfDuties(current, by.principal);
      const next: ReviewOccurrence = {
        ...current,
        status: 'signed_off',
        countersign: { atMs: now, by: by.principal.id },
        version: current.version + 1,
      };
      const event: SelfAuditEvent = {
        ...by,
        action: 'review.countersign',
        target: reviewTarget(current),
        details: {
          review_id: id,
          definition_id: current.definitionId,
          signed_off_by: current.signOff!.by,
          sign_off_event_id: current.signOff!.eventId,
          notes: input.notes,
        },
      };
      return { next, events: [event] };
    });
  }

  /**
   * A correction of a signed-off review: a new `review.correct` event referring to the
   * sign-off. The sign-off itself stays as it was.
   */
  async correct(
    id: string,
    input: { decision: Decision; notes: string },
    scope: SourceScope,
    by: ReviewActor,
  ): Promise<ReviewNote> {
    const o = await this.reviews.visibleOccurrence(id, scope);
    checkReviewer(o, by.principal);
    const now = this.deps.clock.now();
    const eventId = this.deps.ids(now);
    const note: ReviewNote = {
      id: this.deps.ids(now),
      occurrenceId: id,
      kind: 'correction',
      item: 'review',
      note: input.notes,
      decision: input.decision,
      roles: null,
      alertId: null,
      approvalId: null,
      eventId,
      by: by.principal.id,
      atMs: now,
    };
    await this.change(id, (current, tx) => {
      if (current.signOff === null) {
        throw notInState(
          current,
          'corrected (only a signed-off review is corrected; until then, observe)',
        );
      }
      separationOfDuties(current, by.principal);
      return {
        next: undefined,
        write: () => insertNote(tx, note),
        events: [
          {
            id: eventId,
            principal: by.principal,
            ...(by.ip !== undefined ? { ip: by.ip } : {}),
            action: 'review.correct',
            target: reviewTarget(current),
            details: {
              review_id: id,
              definition_id: current.definitionId,
              sign_off_event_id: current.signOff.eventId,
              decision: input.decision,
              notes: input.notes,
            },
          },
        ],
      };
    });
    return note;
  }

  /**
   * One change of an occurrence: read locked in the append transaction, judged by `step`,
   * written (or a note added) with its events, all committed together.
   */
  private async change(
    id: string,
    step: (current: ReviewOccurrence, tx: QueryRunner) => Promise<StepResult> | StepResult,
  ): Promise<ReviewOccurrence> {
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const current = await occurrenceById(tx, id, { lock: true });
      if (!current) throw new AppError('not_found', `no review ${id}`);
      const out = await step(current, tx);
      if (out.next !== undefined && !(await replaceOccurrence(tx, out.next))) {
        throw new AppError('concurrent_change', `review ${id} changed meanwhile; try again`);
      }
      await out.write?.();
      return { events: out.events, result: out.next ?? current };
    });
    return result;
  }
}

interface StepResult {
  /** The occurrence after the step; undefined when only a note is added. */
  next: ReviewOccurrence | undefined;
  write?: () => Promise<void>;
  events: SelfAuditEvent[];
}

/** Only the definition's reviewers work its occurrences (named, or holding its role). */
export function checkReviewer(o: ReviewOccurrence, principal: AccountPrincipal): void {
  const reviewers = o.definition.reviewers;
  const role = reviewers[0]?.startsWith('role:') ? reviewers[0].slice('role:'.length) : undefined;
  const ok =
    role !== undefined
      ? principal.grants.some((g) => g.role === role)
      : reviewers.includes(principal.id);
  if (!ok) {
    throw new AppError(
      'not_a_reviewer',
      `${principal.name} is not a reviewer of "${o.definition.name}" (reviewers: ${reviewers.join(', ')}); an admin changes them with \`evident reviews define\`, for periods generated after`,
    );
  }
}

/**
 * Separation of duties on what was reviewed, not on its name: a log review whose items
 * hold an event the person acted in, or an access review whose snapshot holds the
 * person's own grants, is signed by someone else.
 */
export function separationOfDuties(o: ReviewOccurrence, principal: AccountPrincipal): void {
  const pin = pinned(o);
  const own =
    o.definition.kind === 'log'
      ? pin.actors.includes(principal.id)
      : snapshotSubjects(JSON.parse(pin.snapshot ?? '{"principals":[]}') as AccessSnapshot).has(
          principal.id,
        );
  if (own) {
    throw new AppError(
      'own_actions_in_review',
      o.definition.kind === 'log'
        ? `review ${o.id} covers events of your own (actor.id "${principal.id}"); someone else must sign it`
        : `review ${o.id} covers your own grants; someone whose roles are not under review must sign it`,
    );
  }
}

function checkItem(o: ReviewOccurrence, pin: ReviewPin, item: string): number | undefined {
  if (item === 'review') return undefined;
  if (o.definition.kind === 'log') {
    const m = /^seq:(\d{1,15})$/.exec(item);
    const seq = m ? Number(m[1]) : undefined;
    if (seq !== undefined && pin.items?.includes(seq)) return seq;
    throw new AppError(
      'invalid_field',
      `"${item.slice(0, 60)}" is not an item of review ${o.id}; items are "seq:<n>" of its events, or "review"`,
      { path: 'item' },
    );
  }
  const snapshot = JSON.parse(pin.snapshot ?? '{}') as AccessSnapshot;
  const known =
    snapshot.principals.some((p) => item === `principal:${p.id}`) ||
    snapshot.tokens.some((t) => item === `token:${t.id}`);
  if (!known) {
    throw new AppError(
      'invalid_field',
      `"${item.slice(0, 60)}" is not an item of review ${o.id}; items are "principal:<id>", "token:<id>", or "review"`,
      { path: 'item' },
    );
  }
  return undefined;
}

/** Refuses a signed-off occurrence (undefined otherwise: a note-only step changes no row). */
function editable(o: ReviewOccurrence): undefined {
  if (o.signOff !== null) throw signedOff(o);
  return undefined;
}

function signedOff(o: ReviewOccurrence): AppError {
  return new AppError(
    'review_signed_off',
    `review ${o.id} is signed off and cannot be changed; record a correction (\`evident reviews correct ${o.id}\`)`,
  );
}

function notInState(o: ReviewOccurrence, step: string): AppError {
  return new AppError(
    'review_not_in_state',
    `review ${o.id} is ${o.status.replace('_', ' ')} and cannot be ${step}`,
  );
}
