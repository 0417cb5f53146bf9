/**
 * A minimal S3 stand-in for tests: PUT, GET and HEAD of objects under path-style URLs
 * (/bucket/key), in memory. It CHECKS every request's AWS Signature V4, written here from
 * AWS's specification (canonical request → string to sign → HMAC chain), independently of
 * the client library, and checks that the body matches its signed x-amz-content-sha256, as
 * S3 does. No S3-compatible server that checks V4 signatures installs from npm or Debian
 * (s3rver accepts any V4 signature; MinIO is not packaged), hence this file.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandIn {
  endpoint: string;
  objects: Map<string, Buffer>;
  /** Requests seen, as `METHOD /bucket/key status`. */
  log: string[];
  /** When set, GET answers with one byte of the object flipped (a store that lost data). */
  corruptReads: boolean;
  close(): Promise<void>;
}

export async function startS3StandIn(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
}): Promise<StandIn> {
  const objects = new Map<string, Buffer>();
  const log: string[] = [];
  const state = { corruptReads: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = handle(req, Buffer.concat(chunks), res);
      log.push(`${req.method} ${req.url} ${status}`);
    });
  });

  const fail = (res: ServerResponse, status: number, code: string, message: string): number => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    );
    return status;
  };

  const handle = (req: IncomingMessage, body: Buffer, res: ServerResponse): number => {
    const problem = signatureProblem(req, body, credentials);
    if (problem) return fail(res, problem.status, problem.code, problem.message);
    const url = new URL(req.url!, 'http://stand-in');
    const [, bucket, ...rest] = url.pathname.split('/');
    if (bucket !== credentials.bucket) return fail(res, 404, 'NoSuchBucket', 'no such bucket');
    const key = rest.map(decodeURIComponent).join('/');
    if (req.method === 'PUT') {
      objects.set(key, body);
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
      res.end();
      return 200;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const stored = objects.get(key);
      if (!stored) return fail(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      const out = Buffer.from(stored);
      if (state.corruptReads && out.length > 0) out[out.length >> 1] = out[out.length >> 1]! ^ 1;
      res.writeHead(200, { 'content-length': out.length, 'content-type': 'application/zip' });
      res.end(req.method === 'GET' ? out : undefined);
      return 200;
    }
    return fail(res, 405, 'MethodNotAllowed', 'not supported by the stand-in');
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    log,
    get corruptReads() {
      return state.corruptReads;
    },
    set corruptReads(v: boolean) {
      state.corruptReads = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** AWS SigV4 (header form): undefined when the request is signed by the known key. */
function signatureProblem(
  req: IncomingMessage,
  body: Buffer,
  c: { accessKeyId: string; secretAccessKey: string; region: string },
): { status: number; code: string; message: string } | undefined {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { status: 403, code: 'AccessDenied', message: 'no AWS4-HMAC-SHA256 signature' };
  const [, keyId, date, region, signedHeaders, signature] = m as unknown as string[];
  if (keyId !== c.accessKeyId)
    return { status: 403, code: 'InvalidAccessKeyId', message: 'unknown access key' };
  if (region !== c.region)
    return { status: 400, code: 'AuthorizationHeaderMalformed', message: 'wrong region' };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date!))
    return { status: 403, code: 'AccessDenied', message: 'x-amz-date does not match the scope' };
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (payloadHash !== createHash('sha256').update(body).digest('hex'))
    return {
      status: 400,
      code: 'XAmzContentSHA256Mismatch',
      message: 'the body does not match x-amz-content-sha256 (unsigned payloads are refused)',
    };
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-content-sha256'))
    return {
      status: 403,
      code: 'AccessDenied',
      message: 'host and the payload hash must be signed',
    };
  const url = new URL(req.url!, 'http://stand-in');
  const query = [...url.searchParams]
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const headerLines = names.map((n) => {
    const value = req.headers[n];
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${n}:${text.trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonicalRequest = [
    req.method,
    url.pathname,
    query,
    headerLines.join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: Buffer | string, data: string) =>
    createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${c.secretAccessKey}`, date!), region!), 's3'),
    'aws4_request',
  );
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex')))
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  return undefined;
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
