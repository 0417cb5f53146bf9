/** Where and as whom the gateway connects upstream (its own service credential). */
export interface UpstreamTarget {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
}

/** Reads postgres://user[:password]@host[:port]/database. */
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
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 5432,
    user,
    password: url.password ? decodeURIComponent(url.password) : process.env.PGPASSWORD || undefined,
    database,
  };
}
