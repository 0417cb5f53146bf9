/**
 * Express middleware: one audit event per answered request, queued on the client after the
 * response is sent, so the log never slows or fails a request. Mount it before the routes.
 */
import { type HttpAuditOptions, queueHttpEvent } from './http-event.js';

/** The parts of Express's request and response this uses (no dependency on express). */
export interface ExpressLikeRequest {
  method: string;
  originalUrl: string;
  baseUrl?: string;
  route?: { path?: unknown };
  params?: Record<string, string>;
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}
export interface ExpressLikeResponse {
  statusCode: number;
  writableFinished?: boolean;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

export function evidentAudit<Req extends ExpressLikeRequest = ExpressLikeRequest>(
  options: HttpAuditOptions<Req>,
) {
  return (req: Req, res: ExpressLikeResponse, next: (error?: unknown) => void): void => {
    let done = false;
    const record = (answered: boolean) => {
      if (done) return;
      done = true;
      const path = req.originalUrl.split('?')[0] ?? '/';
      const pattern = typeof req.route?.path === 'string' ? req.route.path : undefined;
      const requestId = req.headers['x-request-id'];
      queueHttpEvent(
        {
          req,
          method: req.method,
          route: pattern === undefined ? undefined : `${req.baseUrl ?? ''}${pattern}`,
          path,
          params: req.params ?? {},
          status: answered ? res.statusCode : undefined,
          ip: req.ip,
          requestId: typeof requestId === 'string' ? requestId : undefined,
          headers: req.headers,
        },
        options,
      );
    };
    res.once('finish', () => record(true));
    // A client that goes away before the answer is still a request that was made.
    res.once('close', () => record(res.writableFinished === true));
    next();
  };
}
