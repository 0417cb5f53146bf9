import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { PAGE_CSP } from '../../src/server/routes/dashboard.js';
import { type TestServer, testServer } from '../support/test-server.js';

/** How the server serves the dashboard build (test/support/web-fixture stands in for it). */
describe('dashboard pages and assets', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });

  it('serves index.html at / and at client routes, never cached, with the page policy', async () => {
    for (const url of ['/', '/alerts', '/alerts/01JD8X7Q6R3T9V2W4Y5Z6A7B8C', '/integrity?x=1']) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /<title>fixture<\/title>/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['content-security-policy'], PAGE_CSP);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('forbids inline script, eval and framing in the page policy', () => {
    const directives = new Map(
      PAGE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    );
    assert.equal(directives.get('script-src'), "'self'");
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.doesNotMatch(PAGE_CSP, /unsafe-inline|unsafe-eval|\*/);
  });

  it('serves hashed assets for a year, gzipped when asked', async () => {
    const plain = await get('/assets/app-0123abcd.js');
    assert.equal(plain.statusCode, 200);
    assert.match(String(plain.headers['content-type']), /^text\/javascript/);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.body, "document.title = 'fixture app';\n");
    const gz = await get('/assets/app-0123abcd.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), plain.body);
  });

  it('answers 404 JSON for unknown assets, file-like paths and unknown API routes', async () => {
    for (const url of [
      '/assets/nope.js',
      '/assets/..%2Findex.html',
      '/favicon.ico',
      '/api',
      '/api/v1/nope',
      '/api/v2/events',
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'not_found', url);
    }
  });

  it('answers 503 (not the client’s fault) when the dashboard was not built', async () => {
    const bare = await testServer({ webRoot: '/nonexistent/evident-web' });
    try {
      const res = await bare.app.inject({ method: 'GET', url: '/' });
      assert.equal(res.statusCode, 503);
      assert.match(res.json().error.message, /npm run build/);
      assert.equal(res.json().error.reason, 'dashboard_not_built');
    } finally {
      await bare.close();
    }
  });

  it('documents the pages, assets and sign-in methods in the OpenAPI document', async () => {
    const doc = (await get('/api/v1/openapi.json')).json();
    for (const path of ['/', '/assets/{name}', '/api/v1/auth/methods']) {
      assert.ok(doc.paths[path]?.get, path);
    }
  });

  it('tells the sign-in page which methods are set up', async () => {
    const res = await get('/api/v1/auth/methods');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { password: true, oidc: false });
  });
});
