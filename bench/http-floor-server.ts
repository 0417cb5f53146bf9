/**
 * The HTTP floor: Fastify configured as Evident's app (body limits, raw-string body parser,
 * logger at warn) answering POST /api/v1/events with a canned 201 of the same shape and size,
 * without parsing, storing or signing anything. Started by bench/http-floor.ts.
 */
import Fastify from 'fastify';

const entry = (i: number) =>
  `{"id":"01JDQ2W3X4Y5Z6A7B8C9D0E${String(i % 1000).padStart(3, '0')}","seq":${1_000_000 + i},"leaf_hash":"3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`;
const checkpoint =
  'bench.evident.local/log\\n1000500\\nq83vEjRWeJASNFZ4kBI0VniQEjRWeJASNFZ4kBI0Vng=\\n\\n— bench.evident.local/log AAAAAKrN7xI0VniQEjRWeJASNFZ4kBI0VniQEjRWeJASNFZ4kBI0VniQEjRWeJASNFZ4kBI0VniQEjRWeJASNFZ4kBI0Vng=\\n';
const reply = (n: number) =>
  `{"entries":[${Array.from({ length: n }, (_, i) => entry(i)).join(',')}],"checkpoint":"${checkpoint}"}`;
const ONE = reply(1);
const MANY = new Map<number, string>();

const app = Fastify({ logger: { level: 'warn' }, bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser(['application/json'], { parseAs: 'string' }, (_req, body, done) =>
  done(null, body),
);
app.post('/api/v1/events', { bodyLimit: 10 * 1024 * 1024 }, async (request, res) => {
  const body = request.body as string;
  let text = ONE;
  if (body.startsWith('[')) {
    // Count events by their id members, as cheaply as possible.
    const n = body.split('{"id":').length - 1;
    text = MANY.get(n) ?? reply(n);
    MANY.set(n, text);
  }
  return res.status(201).type('application/json; charset=utf-8').send(text);
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`floor listening on ${address}`);
