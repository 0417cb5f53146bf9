/**
 * The OpenAPI document covers the whole API: every route Fastify registered (HEAD aside,
 * which Fastify adds for each GET) has its path and method in /api/v1/openapi.json, and the
 * document names no route the server does not have.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registeredRoutes } from '../../src/server/app.js';
import { type TestServer, testServer } from '../support/test-server.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Fastify's `/a/:id` as OpenAPI's `/a/{id}`. OpenAPI has no wildcard paths: the dashboard's
 * catch-all `/*` (index.html for every client route) is documented as `/`.
 */
function openApiPath(url: string): string {
  if (url === '/*') return '/';
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

describe('the OpenAPI document', () => {
  let t: TestServer;
  let doc: { paths: Record<string, Record<string, unknown>> };
  before(async () => {
    t = await testServer();
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200, res.body);
    doc = res.json();
  });
  after(() => t.close());

  it('documents every registered route', () => {
    const routes = registeredRoutes(t.app).filter((r) => r.method !== 'HEAD');
    assert.ok(routes.length > 40, `only ${routes.length} routes seen`);
    const missing = routes
      .filter((r) => !doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(missing, [], `routes missing from the OpenAPI document`);
  });

  it('documents no route the server lacks', () => {
    const served = new Set(
      registeredRoutes(t.app).map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`),
    );
    const extra: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        if (item[method] !== undefined && !served.has(`${method} ${path}`)) {
          extra.push(`${method.toUpperCase()} ${path}`);
        }
      }
    }
    assert.deepEqual(extra, [], 'documented routes the server does not serve');
  });
});
