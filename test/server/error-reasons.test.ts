import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { CoreError } from '../../src/core/errors.js';
import { ERROR_REASONS, REASONS } from '../../src/error-reasons.js';
import { AppError } from '../../src/errors.js';
import { installErrorHandling, toHttpError } from '../../src/server/http/error-handler.js';
import { testServer } from '../support/test-server.js';

const DOCS = resolve(import.meta.dirname, '../../docs/api.md');

/** The rows of docs/api.md's "Error reasons" table: reason → HTTP status. */
function documentedReasons(): Map<string, number> {
  const text = readFileSync(DOCS, 'utf8');
  const section = text.split('### Error reasons')[1]?.split(/\n#{2,3} /)[0] ?? '';
  const rows = new Map<string, number>();
  for (const m of section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) /gm)) rows.set(m[1]!, Number(m[2]));
  return rows;
}

describe('error reasons', () => {
  it('docs/api.md documents every reason, with the status the server answers, and no other', () => {
    const documented = documentedReasons();
    assert.deepEqual([...documented.keys()].sort(), [...ERROR_REASONS].sort());
    for (const reason of ERROR_REASONS) {
      const { status } = toHttpError(new AppError(reason, 'x'));
      assert.equal(documented.get(reason), status, `status of ${reason}`);
    }
  });

  it('the OpenAPI error schema lists every reason as an enum', async () => {
    const t = await testServer();
    const served = await t.app.inject({ url: '/api/v1/openapi.json' });
    await t.close();
    const doc = served.json() as {
      components: { schemas: { Error: { properties: { error: Record<string, unknown> } } } };
    };
    const error = doc.components.schemas.Error.properties.error as {
      required: string[];
      properties: { reason: { enum: string[] } };
    };
    assert.deepEqual(error.properties.reason.enum, ERROR_REASONS);
    assert.ok(error.required.includes('reason'));
  });

  it('an AppError answers its category as code and its reason', () => {
    const { status, body } = toHttpError(
      new AppError('last_admin', '"ada" is the last admin account', { path: 'roles' }),
    );
    assert.equal(status, 409);
    assert.deepEqual(body, {
      error: {
        code: 'conflict',
        reason: 'last_admin',
        message: '"ada" is the last admin account',
        path: 'roles',
      },
    });
    assert.equal(REASONS.last_admin[0], 'conflict');
  });

  it('a CoreError keeps its own code and names it as the reason', () => {
    const { status, body } = toHttpError(new CoreError('INVALID_RECORD', 'actor.id is required'));
    assert.equal(status, 400);
    assert.equal(body.error.code, 'invalid_record');
    assert.equal(body.error.reason, 'invalid_record');
  });
});

describe('errors that are not AppErrors, thrown from a route', () => {
  let app: FastifyInstance;
  const SECRET = '/var/lib/evident/secrets.key password=hunter2';

  before(async () => {
    app = Fastify({ logger: false });
    installErrorHandling(app);
    app.get('/plain', async () => {
      throw new Error(`could not open ${SECRET}`);
    });
    app.get('/type', async () => {
      const missing = undefined as unknown as { call(): void };
      missing.call();
    });
    app.get('/rejected', async () => Promise.reject(new RangeError(SECRET)));
    app.get('/coded', async () => {
      throw new AppError('approval_not_pending', 'request r-1 is approved');
    });
    await app.ready();
  });
  after(async () => app.close());

  for (const url of ['/plain', '/type', '/rejected']) {
    it(`${url}: a 500 whose body names nothing internal`, async () => {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 500);
      assert.deepEqual(res.json(), {
        error: {
          code: 'internal',
          reason: 'internal',
          message: 'internal error; the server log has the details',
        },
      });
      assert.doesNotMatch(res.body, /hunter2|secrets\.key|TypeError|undefined|at .*\.ts/);
    });
  }

  it('an AppError from a route keeps its reason and status', async () => {
    const res = await app.inject({ method: 'GET', url: '/coded' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.reason, 'approval_not_pending');
    assert.equal(res.json().error.code, 'conflict');
  });

  it('an unknown route answers route_not_found', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.reason, 'route_not_found');
  });
});
