/**
 * What both middlewares share: turning one answered HTTP request into an audit event, and
 * queueing it without making the request wait (the client's queue absorbs it).
 */
import type { Actor, AuditEvent, Category, Sensitivity, Target } from '../record.js';

/** The request as the middleware saw it, once the response was sent. */
export interface HttpExchange<Req> {
  req: Req;
  method: string;
  /** The route pattern (`/customers/:id`); undefined when no route matched. */
  route: string | undefined;
  /** The concrete path, without the query string. */
  path: string;
  params: Record<string, string>;
  /** undefined when the client went away before an answer. */
  status: number | undefined;
  ip: string | undefined;
  requestId: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface RouteAudit<Req> {
  /** Dotted `<object>.<verb>`; default from the route and method (`customers.read`). */
  action?: string | ((x: HttpExchange<Req>) => string);
  /** Default: the route's last parameter, typed by the segment before it. */
  target?: (x: HttpExchange<Req>) => Target | undefined;
  sensitivity?: Sensitivity;
  category?: Category;
}

export interface HttpAuditOptions<Req> extends RouteAudit<Req> {
  /** Where events go: an EvidentClient (anything with its `log`). */
  client: { log(event: AuditEvent): Promise<unknown> };
  /** Who made the request, from the app's own auth; undefined: anonymous. */
  principal: (req: Req) => Actor | string | undefined;
  /**
   * Per route, keyed `"GET /customers/:id"` or `"/customers/:id"` (any method): overrides,
   * or `false` to leave a route out.
   */
  routes?: Record<string, RouteAudit<Req> | false>;
  /** Leave out requests this returns true for (health checks…). */
  skip?: (req: Req) => boolean;
  /** Told when an event could not be queued (queue full with whenFull: 'reject', closed client). */
  onError?: (error: unknown) => void;
}

const VERBS: Record<string, string> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/** W3C Trace Context `traceparent`: version-traceid-parentid-flags; the trace id, if valid. */
export function traceIdOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value?.trim() ?? '');
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  return m[2];
}

function segments(route: string): string[] {
  return route.split('/').filter((s) => s !== '' && !/^v\d+$/.test(s) && s !== 'api');
}

function defaultAction(x: HttpExchange<unknown>): string {
  // Unmatched paths are the client's text: they never become the action.
  if (x.route === undefined) return `http.${VERBS[x.method] ?? 'request'}`;
  const fixed = segments(x.route).filter((s) => !s.startsWith(':') && !s.startsWith('{'));
  const object = (fixed.at(-1) ?? 'root').replace(/[^A-Za-z0-9_-]/g, '_');
  return `${object.slice(0, 100)}.${VERBS[x.method] ?? 'request'}`;
}

function defaultTarget(x: HttpExchange<unknown>): Target | undefined {
  if (x.route === undefined) return undefined;
  const parts = segments(x.route);
  for (let i = parts.length - 1; i >= 0; i--) {
    const name = parts[i]!.replace(/^[:{]|[}?]$/g, '');
    if (parts[i] !== name || parts[i]!.startsWith('{')) {
      const id = x.params[name];
      if (id) return { type: parts[i - 1] ?? name, id: String(id).slice(0, 256) };
    }
  }
  return undefined;
}

function outcomeOf(status: number | undefined): AuditEvent['outcome'] {
  if (status === undefined) return 'unknown';
  if (status === 401 || status === 403) return 'denied';
  return status >= 400 ? 'failure' : 'success';
}

/** The audit event for one exchange, or undefined when configured out. */
export function httpEvent<Req>(
  x: HttpExchange<Req>,
  o: HttpAuditOptions<Req>,
): AuditEvent | undefined {
  if (o.skip?.(x.req)) return undefined;
  const perRoute =
    x.route === undefined
      ? undefined
      : (o.routes?.[`${x.method} ${x.route}`] ?? o.routes?.[x.route]);
  if (perRoute === false) return undefined;
  const cfg: RouteAudit<Req> = { ...o, ...perRoute };
  const who = o.principal(x.req);
  const actor: Actor =
    typeof who === 'string' ? { id: who } : (who ?? { id: 'anonymous', type: 'anonymous' });
  const action =
    typeof cfg.action === 'function'
      ? cfg.action(x)
      : (cfg.action ?? defaultAction(x as HttpExchange<unknown>));
  const target = cfg.target ? cfg.target(x) : defaultTarget(x as HttpExchange<unknown>);
  const traceId = traceIdOf(x.headers.traceparent);
  return {
    actor: { ...actor, ...(x.ip && !actor.ip ? { ip: x.ip } : {}) },
    action,
    ...(target
      ? { target: cfg.sensitivity ? { ...target, sensitivity: cfg.sensitivity } : target }
      : {}),
    outcome: outcomeOf(x.status),
    category: cfg.category ?? 'api',
    request: {
      ...(x.requestId ? { id: x.requestId.slice(0, 256) } : {}),
      method: x.method,
      path: x.path.slice(0, 2048),
      ...(x.status !== undefined ? { status: x.status } : {}),
    },
    ...(traceId ? { trace_id: traceId } : {}),
  };
}

/** Queues the event; never throws into the request path. */
export function queueHttpEvent<Req>(x: HttpExchange<Req>, o: HttpAuditOptions<Req>): void {
  let event: AuditEvent | undefined;
  try {
    event = httpEvent(x, o);
  } catch (error) {
    o.onError?.(error);
    return;
  }
  if (event) o.client.log(event).catch((error) => o.onError?.(error));
}
