/**
 * Realistic audit events for the benchmarks: ~400 bytes of JSON, a few thousand people and
 * some service accounts with a skewed activity profile, targets of several types drawn from
 * large pools, and a weighted mix of actions and outcomes. Deterministic (seeded), so two
 * runs ingest and search the same shapes.
 */

import { randomUUID } from 'node:crypto';
import { mulberry32 } from '../test/support/prng.js';

/** mulberry32, the tests' seeded generator: small, fast, good enough to shape test data. */
export const prng = mulberry32;

export const USERS = 5_000;
export const SERVICES = [
  'svc-billing-sync',
  'svc-crm-import',
  'svc-report-builder',
  'svc-backup',
  'svc-search-indexer',
];
const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'];
const TARGETS: readonly { type: string; prefix: string; pool: number; actions: string[] }[] = [
  {
    type: 'customer',
    prefix: 'c-',
    pool: 200_000,
    actions: ['customer.read', 'customer.update', 'customer.export'],
  },
  { type: 'invoice', prefix: 'inv-', pool: 500_000, actions: ['invoice.read', 'invoice.refund'] },
  {
    type: 'document',
    prefix: 'doc-',
    pool: 100_000,
    actions: ['document.read', 'document.share', 'document.delete'],
  },
  { type: 'user', prefix: 'u-', pool: USERS, actions: ['user.login', 'user.role_change'] },
];
const OUTCOMES = ['success', 'success', 'success', 'success', 'success', 'success', 'denied'];
const CATEGORY: Record<string, string> = {
  customer: 'data',
  invoice: 'data',
  document: 'file',
  user: 'authentication',
};

export interface EventShape {
  actorId: string;
  targetId: string;
}

/** Draws events. `timeMs` is the source's clock for the event (`time`). */
export class EventFactory {
  private readonly random: () => number;

  constructor(seed = 42) {
    this.random = prng(seed);
  }

  /** A person (skewed: a few are very busy) or, one time in ten, a service account. */
  actorId(): string {
    const r = this.random();
    if (r < 0.1) return this.pick(SERVICES);
    // Squaring a uniform draw puts more weight on low user numbers.
    return `u-${Math.floor(this.random() ** 2 * USERS)}`;
  }

  targetId(): string {
    const t = this.pick(TARGETS);
    return `${t.prefix}${Math.floor(this.random() * t.pool)}`;
  }

  event(timeMs: number): Record<string, unknown> {
    const actorId = this.actorId();
    const t = this.pick(TARGETS);
    const targetId = `${t.prefix}${Math.floor(this.random() * t.pool)}`;
    const outcome = this.pick(OUTCOMES);
    const service = actorId.startsWith('svc-');
    const event: Record<string, unknown> = {
      time: new Date(timeMs).toISOString(),
      actor: service
        ? { id: actorId, type: 'service' }
        : {
            id: actorId,
            type: 'user',
            name: this.pick(NAMES),
            ip: `10.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`,
            session: `s-${this.hex(12)}`,
          },
      action: this.pick(t.actions),
      target: {
        type: t.type,
        id: targetId,
        sensitivity: t.type === 'user' ? 'internal' : 'restricted',
      },
      outcome,
      category: CATEGORY[t.type],
    };
    if (outcome === 'denied') event.severity = 'medium';
    if (this.random() < 0.6) {
      event.request = {
        id: `req-${this.hex(8)}`,
        method: 'GET',
        path: `/api/${t.type}s/${targetId}`,
        status: outcome === 'denied' ? 403 : 200,
      };
    }
    if (this.random() < 0.5) event.trace_id = this.hex(32);
    if (this.random() < 0.3) event.reason = `ticket SUP-${this.int(100_000)}`;
    if (this.random() < 0.3) event.details = { fields: ['email', 'phone'], rows: 1 + this.int(50) };
    return event;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * ULIDs as clients make them: a millisecond time prefix, then randomness. Here the 80 bits
 * after the time are a run-unique prefix plus a counter, so ids never repeat within a run.
 */
export class IdSource {
  private counter = 0;
  private readonly runPart: string;

  constructor(seed = Date.now()) {
    const random = prng(seed);
    let s = '';
    for (let i = 0; i < 6; i++) s += CROCKFORD[Math.floor(random() * 32)];
    this.runPart = s;
  }

  next(timeMs = Date.now()): string {
    let time = '';
    let t = timeMs;
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32] + time;
      t = Math.floor(t / 32);
    }
    let n = this.counter++;
    let tail = '';
    for (let i = 0; i < 10; i++) {
      tail = CROCKFORD[n % 32] + tail;
      n = Math.floor(n / 32);
    }
    return `${time}${this.runPart}${tail}`;
  }
}

/**
 * Random (version 4) UUIDs, as clients that make their own ids often send them: each lands
 * on a random page of the id index, where time-ordered ULIDs all land on its right edge.
 */
export class UuidSource {
  next(): string {
    return randomUUID();
  }
}

/** Where the bench's event ids come from: `ulid` (default, time-ordered) or `uuid` (random). */
export function idSourceNamed(name: string | undefined): IdSource | UuidSource {
  if (name === undefined || name === '' || name === 'ulid') return new IdSource();
  if (name === 'uuid') return new UuidSource();
  throw new Error(`unknown id kind ${JSON.stringify(name)}: use ulid or uuid`);
}

/**
 * Pre-rendered event JSON without an id, so the load generator only splices a fresh id into
 * each event: `{"id":"…",` + rest. Keeps the client's CPU per request small.
 */
export class BodyPool {
  private readonly tails: string[];
  private next = 0;
  readonly averageEventBytes: number;

  constructor(
    size: number,
    private readonly ids: IdSource | UuidSource,
    seed = 7,
  ) {
    const factory = new EventFactory(seed);
    const now = Date.now();
    this.tails = Array.from({ length: size }, (_, i) =>
      JSON.stringify(factory.event(now - 1000 + (i % 1000))).slice(1),
    );
    // `{"id":"` + the id (26 characters for a ULID, 36 for a UUID) + `",` precede every tail.
    const idBytes = 7 + ids.next().length + 2;
    this.averageEventBytes =
      idBytes + this.tails.reduce((sum, t) => sum + Buffer.byteLength(t), 0) / size;
  }

  /** One event object as JSON text with a fresh id. */
  event(): string {
    const tail = this.tails[this.next]!;
    this.next = (this.next + 1) % this.tails.length;
    return `{"id":"${this.ids.next()}",${tail}`;
  }

  /** A JSON array of `count` events. */
  array(count: number): string {
    const parts: string[] = new Array(count);
    for (let i = 0; i < count; i++) parts[i] = this.event();
    return `[${parts.join(',')}]`;
  }
}
