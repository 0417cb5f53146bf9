/**
 * Schema-first routes answer bad input exactly as the hand-written checks did: the same
 * reasons, paths and wording (with a did-you-mean hint for an unknown name), unknown names
 * refused rather than dropped, and a caller without credentials told 401 before any 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Principal } from '../../src/access/principal.js';
import { AppError } from '../../src/errors.js';
import type { ServerContext } from '../../src/server/context.js';
import { installErrorHandling } from '../../src/server/http/error-handler.js';
import { installRouteAccess } from '../../src/server/http/route-access.js';
import { installSchemaValidation } from '../../src/server/http/schema-validation.js';
import {
  CURSOR_PARAMETER,
  errorResponses,
  jsonResponse,
  object,
  queryChoice,
  queryInstant,
  queryInteger,
  querystring,
  queryText,
  str,
} from '../../src/server/http/schemas.js';

const KEY = 'Bearer good';

function fakeContext(): ServerContext {
  const authenticate = async (request: FastifyRequest): Promise<Principal> => {
    if (request.headers.authorization !== KEY) {
      throw new AppError('unauthenticated', 'missing credentials');
    }
    return { kind: 'bootstrap' } as unknown as Principal;
  };
  return {
    authenticate,
    access: async (request: FastifyRequest) => authenticate(request),
  } as unknown as ServerContext;
}

describe('schema validation', () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_r, body, done) =>
      done(null, body),
    );
    installErrorHandling(app);
    installSchemaValidation(app);
    installRouteAccess(app, fakeContext());
    const ok = jsonResponse('ok', { type: 'object' });
    app.get(
      '/search',
      {
        config: { access: 'events.read' },
        schema: {
          querystring: querystring(
            {
              limit: queryInteger('page size', { minimum: 1, maximum: 1000 }),
              order: queryChoice('order', ['time', 'received']),
              actor: queryText('actor'),
              time_from: queryInstant('from'),
              cursor: CURSOR_PARAMETER,
            },
            [],
          ),
          response: { 200: ok, ...errorResponses(400, 401) },
        },
      },
      async (request) => ({ query: request.query }),
    );
    app.post(
      '/things',
      {
        config: { access: 'authenticated' },
        schema: {
          body: object(
            { source: str('source', { minLength: 1, maxLength: 128 }), label: str('label') },
            ['source'],
          ),
          response: { 200: ok },
        },
      },
      async (request) => ({ body: request.body }),
    );
    await app.ready();
  });
  after(() => app.close());

  const get = (qs: string, authorization = KEY) =>
    app.inject({ method: 'GET', url: `/search${qs}`, headers: { authorization } });
  const post = (payload: string, authorization = KEY) =>
    app.inject({
      method: 'POST',
      url: '/things',
      headers: { authorization, 'content-type': 'application/json' },
      payload,
    });

  it('passes valid parameters through, numbers as numbers', async () => {
    const res = await get('?limit=10&order=time&time_from=2026-12-03');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().query, { limit: 10, order: 'time', time_from: '2026-12-03' });
  });

  it('refuses an unknown parameter with a hint, never drops it', async () => {
    const res = await get('?limt=10');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error, {
      code: 'bad_request',
      reason: 'unknown_query_parameter',
      message:
        'unknown query parameter "limt" (did you mean "limit"?); allowed: limit, order, actor, time_from, cursor',
      path: 'limt',
    });
  });

  for (const [qs, path, message] of [
    ['?limit=abc', 'limit', 'query parameter "limit" must be a non-negative integer'],
    ['?limit=0', 'limit', 'query parameter "limit" must be between 1 and 1000'],
    ['?limit=1&limit=2', 'limit', 'query parameter "limit" must be given once'],
    ['?order=up', 'order', 'query parameter "order" must be one of time, received'],
    ['?actor=', 'actor', 'query parameter "actor" must not be empty; omit it instead'],
    ['?actor=a%01b', 'actor', 'query parameter "actor" must not contain control characters'],
    [
      `?actor=${'a'.repeat(257)}`,
      'actor',
      'query parameter "actor" must be at most 256 characters',
    ],
    [
      '?time_from=yesterday',
      'time_from',
      'query parameter "time_from" must be an RFC 3339 timestamp with an offset (2026-11-22T09:00:00Z) or a date, which means that day in UTC (2026-11-22)',
    ],
  ] as const) {
    it(`${qs.slice(0, 30)} → invalid_query on ${path}`, async () => {
      const res = await get(qs);
      assert.equal(res.statusCode, 400);
      const { reason, path: at, message: text } = res.json().error;
      assert.deepEqual({ reason, at, text }, { reason: 'invalid_query', at: path, text: message });
    });
  }

  it('answers 401 before looking at the parameters', async () => {
    const res = await get('?limt=x', 'Bearer bad');
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.reason, 'unauthenticated');
    const body = await post('{"sorce":1}', 'Bearer bad');
    assert.equal(body.statusCode, 401);
  });

  it('refuses an unknown body field with a hint, before a missing one', async () => {
    const res = await post('{"sorce":"x"}');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error, {
      code: 'bad_request',
      reason: 'unknown_field',
      message: 'unknown field "sorce" (did you mean "source"?); allowed: source, label',
      path: 'sorce',
    });
  });

  it('names a missing or malformed body field, and never coerces JSON', async () => {
    const missing = (await post('{"label":"x"}')).json().error;
    assert.deepEqual([missing.reason, missing.path], ['missing_field', 'source']);
    const wrong = (await post('{"source":5}')).json().error;
    assert.deepEqual([wrong.reason, wrong.path], ['invalid_field', 'source']);
    const empty = (await post('')).json().error;
    assert.equal(empty.reason, 'body_not_object');
    const array = (await post('[1]')).json().error;
    assert.equal(array.reason, 'body_not_object');
    const dup = (await post('{"source":"a","source":"b"}')).json().error;
    assert.equal(dup.reason, 'malformed_json');
    const ok = await post('{"source":"a"}');
    assert.deepEqual(ok.json(), { body: { source: 'a' } });
  });
});
