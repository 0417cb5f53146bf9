/**
 * Fastify hook: one audit event per answered request (onResponse), queued on the client, so
 * the log never slows or fails a request. `registerEvidentAudit(app, options)` adds it to
 * that instance and its children; routes can also carry `config: { evident: {...} | false }`.
 */
import { type HttpAuditOptions, queueHttpEvent, type RouteAudit } from './http-event.js';

/** The parts of Fastify's request and reply this uses (no dependency on fastify). */
export interface FastifyLikeRequest {
  id?: string;
  method: string;
  url: string;
  ip?: string;
  params?: unknown;
  headers: Record<string, string | string[] | undefined>;
  routeOptions?: { url?: string; config?: unknown };
}
export interface FastifyLikeReply {
  statusCode: number;
}
export interface FastifyLikeInstance {
  addHook(
    name: 'onResponse',
    hook: (request: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<void>,
  ): unknown;
}

export function registerEvidentAudit<Req extends FastifyLikeRequest = FastifyLikeRequest>(
  app: FastifyLikeInstance,
  options: HttpAuditOptions<Req>,
): void {
  app.addHook('onResponse', async (request, reply) => {
    const req = request as Req;
    const path = req.url.split('?')[0] ?? '/';
    const route = req.routeOptions?.url;
    const fromConfig = (req.routeOptions?.config as { evident?: RouteAudit<Req> | false })?.evident;
    const routes =
      fromConfig === undefined || route === undefined
        ? options.routes
        : { ...options.routes, [`${req.method} ${route}`]: fromConfig };
    queueHttpEvent(
      {
        req,
        method: req.method,
        route,
        path,
        params: (req.params ?? {}) as Record<string, string>,
        status: reply.statusCode,
        ip: req.ip,
        requestId: req.id,
        headers: req.headers,
      },
      { ...options, ...(routes ? { routes } : {}) },
    );
  });
}
