/**
 * An S3-compatible bucket (AWS S3, MinIO, Ceph, Garage, R2…). Requests are signed with AWS
 * Signature V4 by aws4fetch (one small file over fetch and Web Crypto, no dependencies).
 * put() sends the body's SHA-256 as x-amz-content-sha256, so the store itself refuses a body
 * that arrives changed; it resolves only once the PUT is answered 200 and a GET of the object
 * gives back bytes with the same SHA-256.
 */
import { AwsClient } from 'aws4fetch';
import { bytesEqual, toHex } from '../../../core/bytes.js';
import { sha256 } from '../../../core/hash.js';
import { type ArchiveTarget, ArchiveTargetError } from './archive-target.js';

/** The payload hash of a request without a body (signed, rather than UNSIGNED-PAYLOAD). */
const EMPTY_SHA256 = toHex(sha256(new Uint8Array()));

export interface S3TargetConfig {
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
  /** http(s)://host[:port] of an S3-compatible store (path-style); absent: AWS S3 itself. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function s3Target(config: S3TargetConfig): ArchiveTarget {
  const client = new AwsClient({
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
    service: 's3',
    region: config.region,
    retries: 2,
  });
  const key = (name: string) => `${config.prefix}${name}`;
  const path = (name: string) => key(name).split('/').map(encodeURIComponent).join('/');
  const url = (name: string) =>
    config.endpoint === undefined
      ? `https://${config.bucket}.s3.${config.region}.amazonaws.com/${path(name)}`
      : `${config.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(config.bucket)}/${path(name)}`;
  const locate = (name: string) => `s3://${config.bucket}/${key(name)}`;

  const request = async (name: string, init: RequestInit): Promise<Response> => {
    try {
      return await client.fetch(url(name), init);
    } catch (cause) {
      throw new ArchiveTargetError(
        'write_failed',
        `${init.method ?? 'GET'} ${locate(name)} failed: ${(cause as Error).message}`,
        { cause },
      );
    }
  };

  const get = async (name: string): Promise<Uint8Array> => {
    const response = await request(name, {
      method: 'GET',
      headers: { 'x-amz-content-sha256': EMPTY_SHA256 },
    });
    if (response.status === 404)
      throw new ArchiveTargetError('not_found', `no bundle ${locate(name)}`);
    if (response.status !== 200)
      throw new ArchiveTargetError(
        'not_confirmed',
        `GET ${locate(name)} answered ${await describe(response)}`,
      );
    return new Uint8Array(await response.arrayBuffer());
  };

  return {
    locate,
    get,
    async put(name, bytes) {
      const digest = sha256(bytes);
      const response = await request(name, {
        method: 'PUT',
        body: bytes,
        headers: {
          'content-type': 'application/zip',
          'x-amz-content-sha256': toHex(digest),
        },
      });
      if (response.status !== 200)
        throw new ArchiveTargetError(
          'write_failed',
          `PUT ${locate(name)} answered ${await describe(response)}`,
        );
      await response.arrayBuffer();
      const stored = await get(name);
      if (!bytesEqual(sha256(stored), digest))
        throw new ArchiveTargetError(
          'not_confirmed',
          `${locate(name)} reads back with another SHA-256 than was written`,
        );
      return locate(name);
    },
  };
}

/** `403 SignatureDoesNotMatch: …` from an S3 error body, or the bare status. */
async function describe(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return `${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
}
