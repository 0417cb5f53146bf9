/**
 * The OpenAPI document covers the whole API: every route Fastify registered (HEAD aside,
 * which Fastify adds for each GET) has its path and method in /api/v1/openapi.json, and the
 * document names no route the server does not have. Every route declares its schemas (the
 * document is generated from them), except the routes still listed below.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RegisteredRoute, registeredRoutes } from '../../src/server/app.js';
import { type TestServer, testServer } from '../support/test-server.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Routes not yet declared schema-first. Empty since every route moved; it only shrinks, and
 * the test fails while it lists a route that has moved, so a new route cannot join it unseen.
 */
const NOT_YET_SCHEMA_FIRST: readonly string[] = [];

/** Static files: content-hashed dashboard assets, described by hand, with no JSON to check. */
const STATIC_ASSETS: readonly string[] = ['GET /assets/:name'];

/** What is missing from a route's declaration; empty when it is schema-first. */
function schemaGaps(route: RegisteredRoute): string[] {
  const schema = (route.schema ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const gaps: string[] = [];
  if (route.access === undefined) gaps.push('config.access');
  if (schema.response === undefined) gaps.push('response');
  if (schema.querystring === undefined) gaps.push('querystring');
  const names = [...route.url.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  // A trailing wildcard (the tlog-tiles paths) is Fastify's parameter "*".
  if (route.url.endsWith('/*') && route.url !== '/*') names.push('*');
  names.sort();
  const declared = Object.keys(
    (schema.params?.properties as Record<string, unknown> | undefined) ?? {},
  ).sort();
  if (names.join() !== declared.join()) gaps.push(`params (${names.join(', ') || 'none'})`);
  if (['PUT', 'PATCH'].includes(route.method) && schema.body === undefined) gaps.push('body');
  return gaps;
}

/**
 * Fastify's `/a/:id` as OpenAPI's `/a/{id}`. OpenAPI has no wildcard paths: the dashboard's
 * catch-all `/*` (index.html for every client route) is documented as `/`.
 */
function openApiPath(url: string): string {
  if (url === '/*') return '/';
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}').replace(/\/\*$/, '/{*}');
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

  it('every route declares its schemas and access, except the ones not yet moved', () => {
    const routes = registeredRoutes(t.app).filter((r) => r.method !== 'HEAD');
    const exempt = new Set([...NOT_YET_SCHEMA_FIRST, ...STATIC_ASSETS]);
    const undeclared = routes
      .filter((r) => !exempt.has(`${r.method} ${r.url}`))
      .map((r) => ({ route: `${r.method} ${r.url}`, gaps: schemaGaps(r) }))
      .filter((r) => r.gaps.length > 0)
      .map((r) => `${r.route}: no ${r.gaps.join(', ')}`);
    assert.deepEqual(undeclared, [], 'routes without their schemas (http/schemas.ts)');
    const moved = routes
      .filter((r) => NOT_YET_SCHEMA_FIRST.includes(`${r.method} ${r.url}`))
      .filter((r) => schemaGaps(r).length === 0)
      .map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(moved, [], 'schema-first now: take them off NOT_YET_SCHEMA_FIRST');
    const unknown = NOT_YET_SCHEMA_FIRST.filter(
      (name) => !routes.some((r) => `${r.method} ${r.url}` === name),
    );
    assert.deepEqual(unknown, [], 'NOT_YET_SCHEMA_FIRST names routes the server lacks');
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
