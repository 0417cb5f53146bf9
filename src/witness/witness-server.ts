/**
 * The witness's HTTP face: `POST /add-checkpoint` (c2sp.org/tlog-witness), public and
 * unauthenticated by design (a request is only as good as the log signature it carries).
 * Refusals carry the status the spec gives them; a 409 states the witness's size as
 * `text/x.tlog.size`, other refusals say what is wrong in Evident's error shape.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Witness } from './witness.js';
import { WITNESS_STATUS, WitnessError } from './witness-error.js';

/** 63 proof lines and a checkpoint with 100 signatures fit well within this. */
export const ADD_CHECKPOINT_BODY_LIMIT = 64 * 1024;

export function buildWitnessApp(witness: Witness, verifierKey: string): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: ADD_CHECKPOINT_BODY_LIMIT });
  // The protocol body is text whatever the client labels it; take every content type as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post('/add-checkpoint', async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : '';
    try {
      const cosignature = witness.addCheckpoint(body);
      return reply.type('text/plain; charset=utf-8').send(cosignature);
    } catch (error) {
      if (!(error instanceof WitnessError)) throw error;
      reply.code(WITNESS_STATUS[error.kind]);
      if (error.kind === 'conflict') {
        return reply.type('text/x.tlog.size').send(`${error.detail}\n`);
      }
      if (error.kind === 'rate_limited') {
        reply.header('retry-after', String(Math.ceil((error.detail ?? 1000) / 1000)));
      }
      return reply.send({ error: { code: error.kind, message: error.message } });
    }
  });

  // Who this witness is, so an operator can copy its key into a policy.
  app.get('/', async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(`${verifierKey}\n`),
  );

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url}; a witness serves POST /add-checkpoint`,
      },
    }),
  );
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    const client = status >= 400 && status < 500;
    if (!client) console.error('witness: internal error:', error);
    return reply.code(status).send({
      error: {
        code: client ? 'bad_request' : 'internal',
        message: client ? error.message : 'the witness failed; see its log',
      },
    });
  });
  return app;
}
