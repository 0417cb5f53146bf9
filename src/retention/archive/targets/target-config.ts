/**
 * An archive target from configuration: a directory path, or `s3://bucket/prefix` with the
 * endpoint, region and credentials given in `s3` or else taken from the standard AWS
 * environment variables (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_REGION /
 * AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
 */
import { type ArchiveTarget, ArchiveTargetError } from './archive-target.js';
import { directoryTarget } from './directory-target.js';
import { s3Target } from './s3-target.js';

export interface ArchiveTargetConfig {
  /** `/var/lib/evident/archive`, or `s3://bucket/prefix`. */
  target: string;
  s3?: {
    endpoint?: string;
    region?: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    sessionToken?: string;
  };
}

export function archiveTargetFromConfig(
  config: string | ArchiveTargetConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ArchiveTarget {
  const { target, s3 = {} } = typeof config === 'string' ? { target: config } : config;
  if (target.trim() === '')
    throw new ArchiveTargetError(
      'config',
      'the archive target is empty: give a directory or s3://bucket/prefix',
    );
  if (!/^s3:\/\//i.test(target)) return directoryTarget(target);
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(target);
  if (!match)
    throw new ArchiveTargetError(
      'config',
      `"${target}" is not s3://bucket/prefix (bucket: 3–63 lower-case letters, digits, dots, hyphens)`,
    );
  const rawPrefix = match[2] ?? '';
  const prefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
  const endpoint = s3.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint))
    throw new ArchiveTargetError(
      'config',
      `the S3 endpoint "${endpoint}" is not http(s)://host[:port]`,
    );
  const region = s3.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const accessKeyId = s3.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = s3.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new ArchiveTargetError(
      'config',
      `no credentials for ${target}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or give them in the archive config)`,
    );
  const sessionToken = s3.sessionToken ?? env.AWS_SESSION_TOKEN;
  return s3Target({
    bucket: match[1]!,
    prefix,
    ...(endpoint === undefined ? {} : { endpoint }),
    region,
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
  });
}
