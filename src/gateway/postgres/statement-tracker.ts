import type { Clock } from '../../util/clock.js';
import { type GuardrailRule, matchGuardrail } from '../guardrails/guardrail-rules.js';
import type { BackendMessage } from './backend-messages.js';
import type { FrontendMessage } from './frontend-messages.js';
import * as write from './message-writer.js';
import type { ClassifiedStatement, StatementClassifier } from './statement-classifier.js';
import type { StatementIntent, StatementResult } from './statement-result.js';

interface Prepared {
  name: string;
  sql: string;
  classified: ClassifiedStatement;
  guardrailObserved?: string;
}

/** A guardrail refused a statement: which one (of a multi-statement Query) and by which rule. */
interface Denial {
  index: number;
  rule: string;
}

/**
 * What goes upstream instead of a refused Query or Parse: text the server's parser rejects
 * before anything runs, so the server itself ends the statement with an error and sets the
 * transaction state (aborted inside BEGIN, skipping to Sync in a pipeline) exactly as for a
 * real permission error; the gateway replaces that error with its own 42501.
 */
const REFUSED_SQL = '/* evident gateway: refused by a guardrail */ REFUSED';

/** What the session forwards for one client message. */
export interface ClientStep {
  /** The statements it will run (fail_closed records these before forwarding). */
  intents: StatementIntent[];
  /** Sent upstream instead of the message: a guardrail refused it. */
  substitute?: Buffer;
}

interface Running {
  intent: StatementIntent;
  startedAtMs: number;
  rows: number;
  /** Fetched in chunks: the final tag counts only the last chunk's rows, not all of them. */
  chunked?: boolean;
}

interface Portal {
  statement: Prepared;
  parameters: (string | null)[];
  /** Set while a portal is suspended (Execute with a row limit): rows and start carry over. */
  suspended?: Running;
}

/** What the server will answer next, in the order the client asked (the protocol keeps order). */
type Expectation =
  | { kind: 'parse'; prepared: Prepared; parameters?: undefined; denial?: Denial }
  | { kind: 'bind'; portal: Portal; portalName: string }
  | { kind: 'describe' | 'close' | 'sync' }
  | { kind: 'execute'; running: Running; portalName: string }
  | { kind: 'query'; statements: Running[]; index: number; denial?: Denial }
  | { kind: 'functionCall'; running: Running };

const MAX_PARAMETER_CHARS = 256;
const MAX_PARAMETERS = 100;

/**
 * Follows one session's conversation (sans-I/O) and reports each statement once, when its
 * outcome is known: simple queries (split into their statements), the extended protocol
 * (named and unnamed statements and portals, pipelining, errors that skip to Sync), COPY,
 * and function calls.
 */
export class StatementTracker {
  private readonly statements = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  private readonly expected: Expectation[] = [];
  /** After an error in the extended protocol the server ignores everything up to Sync. */
  private skippingToSync = false;

  constructor(
    private classifier: StatementClassifier,
    private readonly clock: Clock,
    private readonly report: (result: StatementResult) => void,
    private guardrails: readonly GuardrailRule[] = [],
    /** The role the session connects upstream as (guardrails' `roles`). */
    private readonly upstreamRole = '',
  ) {}

  /** A reloaded configuration: statements from the next client message on follow it. */
  setPolicy(classifier: StatementClassifier, guardrails: readonly GuardrailRule[]): void {
    this.classifier = classifier;
    this.guardrails = guardrails;
  }

  /** Notes a client message: the statements it will run, and a substitute if one is refused. */
  fromClient(m: FrontendMessage): ClientStep {
    const now = this.clock.now();
    switch (m.type) {
      case 'query': {
        const statements = this.classifier.classify(m.sql).map((c) => ({
          intent: { ...c, protocol: 'simple' as const } as StatementIntent,
          startedAtMs: now,
          rows: 0,
        }));
        const denial = this.guard(statements.map((s) => s.intent));
        this.expected.push({ kind: 'query', statements, index: 0, ...(denial ? { denial } : {}) });
        // A refused statement refuses its whole Query: none of it runs.
        if (denial) return { intents: [], substitute: write.query(REFUSED_SQL) };
        return {
          intents: statements.filter((s) => s.intent.verb !== 'empty').map((s) => s.intent),
        };
      }
      case 'parse': {
        // A Parse names one statement; the server refuses several in one Parse.
        const classified = this.classifier.classify(m.sql);
        const one =
          classified.length === 1
            ? classified[0]!
            : { sql: m.sql, verb: classified[0]?.verb ?? 'other', tables: [] };
        const prepared: Prepared = { name: m.name, sql: m.sql, classified: one };
        const intent: StatementIntent = { ...one, protocol: 'extended' };
        const denial = this.skippingToSync ? undefined : this.guard([intent]);
        if (intent.guardrailObserved) prepared.guardrailObserved = intent.guardrailObserved;
        this.expect({ kind: 'parse', prepared, ...(denial ? { denial } : {}) });
        if (denial) return { intents: [], substitute: write.parse(m.name, REFUSED_SQL) };
        return { intents: [] };
      }
      case 'bind': {
        // A Parse still in flight is newer than what the map holds (pipelining re-uses names).
        const statement = this.pendingParse(m.statement) ?? this.statements.get(m.statement);
        const portal: Portal = {
          statement: statement ?? unknownStatement(m.statement),
          parameters: m.params
            .slice(0, MAX_PARAMETERS)
            .map((p, i) => showParameter(p, formatOf(m.paramFormats, i))),
        };
        this.expect({ kind: 'bind', portal, portalName: m.portal });
        return { intents: [] };
      }
      case 'execute': {
        const portal = this.pendingBind(m.portal) ?? this.portals.get(m.portal);
        const resumed = portal?.suspended;
        const running = resumed ?? { intent: portalIntent(portal), startedAtMs: now, rows: 0 };
        if (portal) portal.suspended = undefined;
        this.expect({ kind: 'execute', running, portalName: m.portal });
        return { intents: resumed ? [] : [running.intent] };
      }
      case 'describe':
        this.expect({ kind: 'describe' });
        return { intents: [] };
      case 'close':
        this.expect({ kind: 'close' });
        if (m.target === 'S') this.statements.delete(m.name);
        else this.dropPortal(m.name);
        return { intents: [] };
      case 'sync':
        this.skippingToSync = false;
        this.expected.push({ kind: 'sync' });
        return { intents: [] };
      case 'functionCall': {
        const sql = `function call (oid ${m.functionOid})`;
        const intent: StatementIntent = {
          sql,
          // The gateway's own words, no value of the client's: nothing to redact.
          normalized: sql,
          verb: 'function_call',
          tables: [],
          protocol: 'function_call',
        };
        this.expected.push({
          kind: 'functionCall',
          running: { intent, startedAtMs: now, rows: 0 },
        });
        return { intents: [intent] };
      }
      default:
        return { intents: [] };
    }
  }

  /**
   * Notes a server message; returns what the client gets instead of it, when it is the
   * server's answer to a statement a guardrail refused.
   */
  fromServer(m: BackendMessage): Buffer | undefined {
    const head = this.expected[0];
    switch (m.type) {
      case 'parseComplete':
        if (head?.kind === 'parse') {
          this.statements.set(head.prepared.name, head.prepared);
          this.expected.shift();
        }
        return;
      case 'bindComplete':
        if (head?.kind === 'bind') {
          this.portals.set(head.portalName, head.portal);
          this.expected.shift();
        }
        return;
      case 'closeComplete':
      case 'noData':
        if (head?.kind === (m.type === 'noData' ? 'describe' : 'close')) this.expected.shift();
        return;
      case 'rowDescription':
        if (head?.kind === 'describe') this.expected.shift();
        return;
      case 'dataRow':
        {
          const running = this.current();
          if (running) running.rows++;
        }
        return;
      case 'commandComplete':
        this.complete(rowsFromTag(m.tag));
        return;
      case 'emptyQueryResponse':
        this.complete(undefined, true);
        return;
      case 'portalSuspended':
        if (head?.kind === 'execute') {
          const portal = this.portals.get(head.portalName);
          head.running.chunked = true;
          if (portal) portal.suspended = head.running;
          this.expected.shift();
        }
        return;
      case 'error':
        return this.fail(m.fields);
      case 'readyForQuery':
        this.ready(m.status);
        return;
      default:
        return;
    }
  }

  /** Statements started but not finished when the session ends (reported with outcome unknown). */
  abandon(error: string): void {
    for (const e of this.expected.splice(0)) {
      if (e.kind === 'execute' || e.kind === 'functionCall')
        this.finish(e.running, 'unknown', { error });
      if (e.kind === 'query')
        for (const s of e.statements.slice(e.index))
          if (s.intent.verb !== 'empty') this.finish(s, 'unknown', { error });
    }
    for (const p of this.portals.values()) if (p.suspended) this.finish(p.suspended, 'success', {});
    this.portals.clear();
  }

  private expect(e: Expectation): void {
    // The server ignores these messages until Sync; what was meant to run did not.
    if (this.skippingToSync) {
      if (e.kind === 'execute') this.finish(e.running, 'failure', { notExecuted: true });
      return;
    }
    // Binding a name again replaces the portal (the unnamed one on every Bind).
    if (e.kind === 'bind') this.dropPortal(e.portalName);
    this.expected.push(e);
  }

  /** A Bind may follow its Parse before ParseComplete arrives (pipelining). */
  private pendingParse(name: string): Prepared | undefined {
    for (let i = this.expected.length - 1; i >= 0; i--) {
      const e = this.expected[i]!;
      if (e.kind === 'parse' && e.prepared.name === name) return e.prepared;
    }
    return undefined;
  }

  private pendingBind(name: string): Portal | undefined {
    for (let i = this.expected.length - 1; i >= 0; i--) {
      const e = this.expected[i]!;
      if (e.kind === 'bind' && e.portalName === name) return e.portal;
    }
    return undefined;
  }

  private current(): Running | undefined {
    const head = this.expected[0];
    if (head?.kind === 'execute' || head?.kind === 'functionCall') return head.running;
    if (head?.kind === 'query') return head.statements[head.index];
    return undefined;
  }

  private complete(tagRows: number | undefined, empty = false): void {
    const head = this.expected[0];
    if (head?.kind === 'execute') {
      this.expected.shift();
      const running = head.running;
      const rows = running.chunked ? running.rows : (tagRows ?? rowsSeen(running));
      if (!empty) this.finish(running, 'success', { rows });
      return;
    }
    if (head?.kind === 'query') {
      let running = head.statements[head.index];
      if (!running) {
        // More results than the parser split (should not happen): still one event each.
        running = {
          intent: { sql: '', verb: 'other', tables: [], protocol: 'simple' },
          startedAtMs: this.clock.now(),
          rows: 0,
        };
        head.statements.push(running);
      }
      head.index++;
      if (!empty) this.finish(running, 'success', { rows: tagRows ?? rowsSeen(running) });
      const next = head.statements[head.index];
      if (next) next.startedAtMs = this.clock.now();
    }
  }

  private fail(fields: Map<string, string>): Buffer | undefined {
    const head = this.expected[0];
    if (!head || head.kind === 'sync') return; // e.g. a FATAL on its own
    const denial = (head.kind === 'query' || head.kind === 'parse') && head.denial;
    const error = denial
      ? { sqlstate: '42501', error: refusal(denial.rule), guardrail: denial.rule }
      : { sqlstate: fields.get('C'), error: fields.get('M') };
    const answer = denial
      ? write.errorResponse({ severity: 'ERROR', sqlstate: '42501', message: refusal(denial.rule) })
      : undefined;
    if (head.kind === 'query') {
      // A refused Query runs none of its statements: those before the refused one did not run.
      if (denial) {
        for (const s of head.statements.slice(0, denial.index))
          if (s.intent.verb !== 'empty') this.finish(s, 'failure', { notExecuted: true });
        head.index = denial.index;
      }
      const running = head.statements[head.index];
      if (running) this.finish(running, denial ? 'denied' : 'failure', error);
      // The rest of a multi-statement string is not run after an error.
      for (const s of head.statements.slice(head.index + 1))
        if (s.intent.verb !== 'empty') this.finish(s, 'failure', { notExecuted: true });
      head.index = head.statements.length;
      return answer;
    }
    if (head.kind === 'functionCall') {
      this.expected.shift();
      this.finish(head.running, 'failure', error);
      return;
    }
    // Extended protocol: the failing message, then everything up to Sync, is skipped.
    const failing = this.expected.shift()!;
    // A failed Parse or Bind is the statement's one event; its own Execute adds none.
    let recorded: StatementIntent | undefined;
    if (failing.kind === 'execute') this.finish(failing.running, 'failure', error);
    if (failing.kind === 'parse' || failing.kind === 'bind') {
      const portal =
        failing.kind === 'parse' ? { statement: failing.prepared, parameters: [] } : failing.portal;
      recorded = portalIntent(portal);
      this.finish(
        { intent: recorded, startedAtMs: this.clock.now(), rows: 0 },
        denial ? 'denied' : 'failure',
        error,
      );
    }
    while (this.expected.length > 0 && this.expected[0]!.kind !== 'sync') {
      const skipped = this.expected.shift()!;
      if (skipped.kind !== 'execute') continue;
      if (recorded && skipped.running.intent.sql === recorded.sql) {
        recorded = undefined;
        continue;
      }
      this.finish(skipped.running, 'failure', { notExecuted: true });
    }
    if (this.expected.length === 0) this.skippingToSync = true;
    return answer;
  }

  /** The first statement an enforcing guardrail refuses; marks those an observing one matches. */
  private guard(intents: StatementIntent[]): Denial | undefined {
    if (this.guardrails.length === 0) return undefined;
    const context = { atMs: this.clock.now(), upstreamRole: this.upstreamRole };
    for (const [index, intent] of intents.entries()) {
      if (intent.verb === 'empty') continue;
      const rule = matchGuardrail(this.guardrails, intent, context);
      if (rule?.mode === 'enforce') return { index, rule: rule.name };
      if (rule) intent.guardrailObserved = rule.name;
    }
    return undefined;
  }

  private ready(status: 'I' | 'T' | 'E'): void {
    const head = this.expected.shift();
    if (head?.kind === 'query')
      for (const s of head.statements.slice(head.index))
        if (s.intent.verb !== 'empty') this.finish(s, 'unknown', {});
    // Leaving a transaction closes its portals: a suspended one ends here.
    if (status === 'I')
      for (const [name, p] of this.portals) if (p.suspended) this.dropPortal(name);
    this.lastStatus = status;
  }

  private lastStatus: 'I' | 'T' | 'E' | undefined;

  private dropPortal(name: string): void {
    const p = this.portals.get(name);
    if (p?.suspended) this.finish(p.suspended, 'success', { rows: p.suspended.rows });
    this.portals.delete(name);
  }

  private finish(
    running: Running,
    outcome: StatementResult['outcome'],
    extra: {
      rows?: number | undefined;
      sqlstate?: string | undefined;
      error?: string | undefined;
      notExecuted?: boolean;
      guardrail?: string;
    },
  ): void {
    const now = this.clock.now();
    const result: StatementResult = {
      ...running.intent,
      startedAtMs: running.startedAtMs,
      durationMs: Math.max(0, now - running.startedAtMs),
      outcome,
    };
    if (extra.rows !== undefined) result.rows = extra.rows;
    if (extra.sqlstate) result.sqlstate = extra.sqlstate;
    if (extra.error) result.error = extra.error;
    if (extra.notExecuted) result.notExecuted = true;
    if (extra.guardrail) result.guardrail = extra.guardrail;
    if (this.lastStatus) result.txStatus = this.lastStatus;
    this.report(result);
  }
}

function refusal(rule: string): string {
  return `statement refused by the gateway's guardrail "${rule}"`;
}

function unknownStatement(name: string): Prepared {
  const sql = `(prepared statement "${name}" not seen by the gateway)`;
  return { name, sql, classified: { sql, verb: 'other', tables: [], normalized: sql } };
}

function portalIntent(portal: Portal | undefined): StatementIntent {
  if (!portal) {
    const sql = '(unknown portal)';
    return { sql, normalized: sql, verb: 'other', tables: [], protocol: 'extended' };
  }
  const { classified, name } = portal.statement;
  const intent: StatementIntent = {
    ...classified,
    protocol: 'extended',
    parameters: portal.parameters,
  };
  if (portal.statement.guardrailObserved)
    intent.guardrailObserved = portal.statement.guardrailObserved;
  if (name) intent.statementName = name;
  return intent;
}

function formatOf(formats: number[], i: number): number {
  // No codes: all text; one code: applies to all; else one per parameter.
  if (formats.length === 0) return 0;
  return formats.length === 1 ? formats[0]! : (formats[i] ?? 0);
}

function showParameter(p: Buffer | null, format: number): string | null {
  if (p === null) return null;
  const text =
    format === 1
      ? `\\x${p.subarray(0, MAX_PARAMETER_CHARS / 2).toString('hex')}`
      : p.toString('utf8', 0, MAX_PARAMETER_CHARS * 4);
  return text.length > MAX_PARAMETER_CHARS ? `${text.slice(0, MAX_PARAMETER_CHARS)}…` : text;
}

/** Rows counted from DataRow messages; none for a statement that returns no rows (DDL, SET). */
function rowsSeen(r: Running): number | undefined {
  return r.rows > 0 ? r.rows : undefined;
}

/** The row count at the end of a CommandComplete tag ("SELECT 5", "INSERT 0 1", "COPY 3"). */
export function rowsFromTag(tag: string): number | undefined {
  const m = /\s(\d+)$/.exec(tag);
  return m ? Number(m[1]) : undefined;
}
