import { readFileSync } from 'node:fs';

/** Where and as whom the gateway connects upstream (its own service credential). */
export interface UpstreamTarget {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  /** libpq's sslmode=verify-full: TLS, the certificate chained to `ca` and naming `host`. */
  tls?: UpstreamTls;
}

export interface UpstreamTls {
  /** PEM certificates to trust; undefined: Node's bundled public CAs. */
  ca: string | undefined;
}

/** The sslmode values the gateway accepts; weaker ones are refused rather than half-done. */
const SSL_MODES = ['disable', 'verify-full'];

/**
 * Reads postgres://user[:password]@host[:port]/database[?sslmode=verify-full&sslrootcert=FILE]
 * (the query parameters as libpq names them).
 */
export function parseUpstreamUrl(text: string): UpstreamTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--upstream: not a URL: ${text} (expected postgres://user@host:port/database)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new Error(`--upstream: expected a postgres:// URL, got ${url.protocol}//`);
  const user = decodeURIComponent(url.username);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!user)
    throw new Error("--upstream: name the gateway's service role (postgres://ROLE@host/db)");
  if (!database) throw new Error('--upstream: name the database (postgres://role@host/DATABASE)');
  for (const key of url.searchParams.keys())
    if (key !== 'sslmode' && key !== 'sslrootcert')
      throw new Error(`--upstream: unknown parameter ${key} (known: sslmode, sslrootcert)`);
  const sslmode = url.searchParams.get('sslmode') ?? 'disable';
  if (!SSL_MODES.includes(sslmode))
    throw new Error(
      `--upstream: sslmode=${sslmode} is not supported; use verify-full (with sslrootcert=FILE) or disable`,
    );
  const rootCert = url.searchParams.get('sslrootcert');
  if (rootCert && sslmode !== 'verify-full')
    throw new Error('--upstream: sslrootcert needs sslmode=verify-full');
  const target: UpstreamTarget = {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 5432,
    user,
    password: url.password ? decodeURIComponent(url.password) : process.env.PGPASSWORD || undefined,
    database,
  };
  if (sslmode === 'verify-full')
    target.tls = { ca: rootCert ? readFileSync(rootCert, 'utf8') : undefined };
  return target;
}
