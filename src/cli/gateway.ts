import { randomBytes } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import { isRedactionPolicy } from '../gateway/audit/redaction.js';
import { createCredential, revokeCredential } from '../gateway/auth/credentials-file.js';
import { startPostgresGateway } from '../gateway/start-postgres-gateway.js';
import { apiUrl, parsePositiveInt } from './options.js';

const DEFAULT_CREDENTIALS_FILE = 'gateway-credentials.json';

interface GatewayOptions {
  listen: string;
  upstream?: string;
  url?: string;
  key?: string;
  credentials: string;
  mode: string;
  redact: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsRequire?: boolean;
  guardrails?: string;
  queue: number;
  maxMessageBytes: number;
}

export function gatewayCommand(program: Command): void {
  const gateway = program
    .command('gateway')
    .description(
      'PostgreSQL access gateway: people connect with their own gateway credential; every statement is an event in the log (docs/gateway.md)',
    )
    .option('--listen <host:port>', 'address clients connect to', '127.0.0.1:6432')
    .option(
      '--upstream <url>',
      "the database, as the gateway's own service role: postgres://role[:password]@host:port/db (env EVIDENT_GATEWAY_UPSTREAM; password also from PGPASSWORD)",
    )
    .option('-u, --url <url>', 'Evident server URL (env EVIDENT_URL)')
    .option('-k, --key <key>', 'ingest key the statements are appended with (env EVIDENT_KEY)')
    .option(
      '--credentials <file>',
      'gateway credentials file (SCRAM verifiers)',
      DEFAULT_CREDENTIALS_FILE,
    )
    .option(
      '--mode <mode>',
      'observe: statements run while their events queue (a full queue makes clients wait); fail_closed: a statement runs only once its event is durable',
      'observe',
    )
    .option(
      '--redact <policy>',
      'what of statements reaches the log: none (text and parameters as sent), literals (constants and parameters replaced), all (no text: fingerprint, verb, tables)',
      'literals',
    )
    .option('--tls-cert <file>', "TLS for clients: the gateway's certificate (PEM, chain first)")
    .option('--tls-key <file>', 'TLS for clients: its private key (PEM)')
    .option('--tls-require', 'refuse clients that do not use TLS (SQLSTATE 28000)')
    .option(
      '--guardrails <file>',
      'YAML rules refusing statements (DROP, TRUNCATE, COPY … PROGRAM, ALTER SYSTEM, DDL on listed schemas…) with SQLSTATE 42501',
    )
    .option('--queue <n>', 'events held in the observe queue at most', parsePositiveInt, 10_000)
    .option(
      '--max-message-bytes <n>',
      'largest client message accepted',
      parsePositiveInt,
      64 * 1024 * 1024,
    )
    .action(async (opts: GatewayOptions) => {
      const upstream = opts.upstream ?? process.env.EVIDENT_GATEWAY_UPSTREAM;
      if (!upstream)
        throw new Error('no upstream: pass --upstream postgres://role@host:5432/database');
      const key = opts.key ?? process.env.EVIDENT_KEY;
      if (!key)
        throw new Error(
          'no ingest key: pass --key or set EVIDENT_KEY (create one with `evident keys create --source pg-gateway`)',
        );
      if (opts.mode !== 'observe' && opts.mode !== 'fail_closed')
        throw new Error('--mode must be observe or fail_closed');
      if (!isRedactionPolicy(opts.redact))
        throw new Error('--redact must be none, literals or all');
      if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey))
        throw new Error('--tls-cert and --tls-key go together');
      if (opts.tlsRequire && !opts.tlsCert)
        throw new Error('--tls-require needs --tls-cert and --tls-key');
      const { host, port } = parseListen(opts.listen);
      const running = await startPostgresGateway({
        host,
        port,
        upstream,
        url: apiUrl(opts.url),
        key,
        credentials: opts.credentials,
        mode: opts.mode,
        redaction: opts.redact,
        ...(opts.guardrails ? { guardrails: opts.guardrails } : {}),
        ...(opts.tlsCert && opts.tlsKey
          ? {
              tls: {
                certFile: opts.tlsCert,
                keyFile: opts.tlsKey,
                require: opts.tlsRequire ?? false,
              },
            }
          : {}),
        queueCapacity: opts.queue,
        maxMessageBytes: opts.maxMessageBytes,
      });
      console.log(
        `evident gateway listening on ${host}:${running.port} (${opts.mode}, redaction ${opts.redact}), database ${new URL(upstream).pathname.slice(1)}`,
      );
      const stop = () => {
        console.log('evident gateway: stopping; appending the remaining events');
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  const credentials = gateway
    .command('credentials')
    .description('gateway credentials of people (SCRAM-SHA-256 verifiers in a local file)');
  credentials
    .command('create')
    .description("make (or replace) a person's gateway credential; prints the secret once")
    .requiredOption('--person <name>', 'the Evident person; also the user name to connect with')
    .option('--file <file>', 'credentials file', DEFAULT_CREDENTIALS_FILE)
    .option('--expires-in-hours <n>', 'lifetime in hours (default 12)', parsePositiveInt, 12)
    .action((opts: { person: string; file: string; expiresInHours: number }) => {
      const made = createCredential(
        opts.file,
        opts.person,
        opts.expiresInHours * 3600_000,
        Date.now(),
        randomBytes,
      );
      console.log(
        `Gateway credential ${made.id} for ${opts.person}, expires ${made.expiresAt}. The secret is shown only now:`,
      );
      console.log(made.secret);
      console.log(
        `Connect: PGPASSWORD='${made.secret}' psql "host=… port=6432 user=${opts.person}"`,
      );
    });
  credentials
    .command('revoke')
    .description(
      "revoke a person's gateway credential; their open sessions end before their next statement",
    )
    .requiredOption('--person <name>', 'the Evident person')
    .option('--file <file>', 'credentials file', DEFAULT_CREDENTIALS_FILE)
    .action((opts: { person: string; file: string }) => {
      if (!revokeCredential(opts.file, opts.person, Date.now()))
        throw new Error(`${opts.file}: no live credential for ${opts.person}`);
      console.log(`Revoked the gateway credential of ${opts.person}.`);
    });
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535)
    throw new InvalidArgumentError(
      `--listen must be host:port, e.g. 127.0.0.1:6432 (got ${value})`,
    );
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(m[2]) };
}
