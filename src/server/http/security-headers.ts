import type { FastifyInstance } from 'fastify';

/**
 * Headers every answer carries (OWASP HTTP Headers Cheat Sheet). The API answers JSON and
 * text, never pages to render, so its Content-Security-Policy allows nothing and no framing;
 * a page served later (the dashboard) sets its own policy and this hook leaves it alone.
 * `no-store` on every answer is the simple rule that covers the ones carrying secrets (new
 * tokens and keys, sign-in, generated webhook secrets) and every answer with event data: none
 * of them may sit in a browser or proxy cache. A route that serves something cacheable may set
 * its own Cache-Control.
 */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
} as const;

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) void reply.header(name, value);
    }
    return payload;
  });
}
