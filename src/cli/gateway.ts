import { randomBytes } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import { isRedactionPolicy } from '../gateway/audit/redaction.js';
import { createCredential, revokeCredential } from '../gateway/auth/credentials-file.js';
import {
  type DatabaseConfig,
  type GatewayConfig,
  loadGatewayConfig,
} from '../gateway/config/gateway-config.js';
import { parseListen } from '../gateway/config/listen-address.js';
import { loadGuardrails } from '../gateway/guardrails/guardrail-rules.js';
import type { RunningDatabase, RunningGateways } from '../gateway/start-gateways.js';
import { type ApiOptions, withApiOptions } from './api-command.js';
import {
  apiOptions,
  grantsCommand,
  listCredentials,
  mintOwn,
  revokeById,
} from './gateway-access.js';
import { apiUrl, parsePositiveInt } from './options.js';

const DEFAULT_CREDENTIALS_FILE = 'gateway-credentials.json';

interface GatewayOptions {
  listen: string;
  upstream?: string;
  url?: string;
  key?: string;
  credentials: string;
  syncToken?: string;
  refreshSeconds: number;
  mode: string;
  redact: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsRequire?: boolean;
  guardrails?: string;
  queue: number;
  maxMessageBytes: number;
  config?: string;
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
      '--sync-token <token>',
      'take credentials and policy from the Evident server at --url instead of --credentials: an API token of a service holding the gateway role (env EVIDENT_GATEWAY_TOKEN)',
    )
    .option(
      '--refresh-seconds <n>',
      'with --sync-token: how often to fetch them (a snapshot older than 12 times this refuses everyone)',
      parsePositiveInt,
      5,
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
    .option(
      '--config <file>',
      'YAML listing several databases, each with listen, upstream, tls, mode, redact, guardrails (docs/gateway.md); replaces the per-database options above',
    )
    .action(async (opts: GatewayOptions, command: Command) => {
      const key = opts.key ?? process.env.EVIDENT_KEY;
      if (!key)
        throw new Error(
          'no ingest key: pass --key or set EVIDENT_KEY (create one with `evident keys create --source pg-gateway`)',
        );
      const config = opts.config ? loadGatewayConfig(opts.config) : undefined;
      if (config) {
        const given = PER_DATABASE.filter((o) => command.getOptionValueSource(o) === 'cli');
        if (given.length > 0)
          throw new InvalidArgumentError(
            `--config lists each database's settings; drop ${given.map((o) => `--${kebab(o)}`).join(', ')} (or put them in the file)`,
          );
      }
      const databases = config?.databases ?? [singleDatabase(opts)];
      const syncToken = opts.syncToken ?? process.env.EVIDENT_GATEWAY_TOKEN;
      // Loaded here, not at the top: the gateway's SQL parser (libpg-query's WASM, ~13 MB
      // resident) would otherwise sit in every command's memory, `evident serve` included.
      const { startGateways } = await import('../gateway/start-gateways.js');
      const running = await startGateways({
        databases,
        url: apiUrl(opts.url ?? config?.url),
        key,
        credentials: syncToken
          ? {
              syncToken,
              refreshMs: opts.refreshSeconds * 1000,
              maxStaleMs: opts.refreshSeconds * 12_000,
            }
          : (config?.credentials ?? opts.credentials),
      });
      const announce = (d: RunningDatabase) =>
        console.log(
          `evident gateway listening on ${d.config.host}:${d.gateway.port} (${d.config.mode}, redaction ${d.config.redaction}), database ${d.config.name}`,
        );
      for (const d of running.databases) announce(d);
      // SIGHUP re-reads the configuration (the --config file, or the --guardrails file);
      // one reload at a time, and a bad file leaves the running configuration as it is.
      let reloading = Promise.resolve();
      process.on('SIGHUP', () => {
        reloading = reloading.then(() => reload(opts, config, running, announce));
      });
      const stop = () => {
        console.log('evident gateway: stopping; appending the remaining events');
        void running.close().then(() => {
          for (const d of running.databases) {
            const s = d.gateway.audit.stats();
            console.log(
              `evident gateway: database ${d.config.name}: ${s.events} events in ${s.requests} requests (largest ${s.largestBatch}, up to ${s.mostInFlight} in flight)`,
            );
          }
          process.exit(0);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  const credentials = gateway
    .command('credentials')
    .description(
      "people's gateway credentials: minted by the Evident server for the signed-in person (--url), or in a local file of SCRAM verifiers (--person)",
    );
  withApiOptions(
    credentials
      .command('create')
      .description(
        'make a gateway credential and print its secret once: your own through the server you signed in to, or with --person a local file entry',
      )
      .option('--person <name>', 'local file mode: the person (also the user name to connect with)')
      .option('--file <file>', 'local file mode: the credentials file', DEFAULT_CREDENTIALS_FILE)
      .option(
        '--expires-in-hours <n>',
        'lifetime in hours (server: 1–720, required; file: default 12)',
        parsePositiveInt,
      )
      .option('--label <text>', 'server mode: what it is for, e.g. the laptop'),
  ).action(async (_opts: unknown, command: Command) => {
    const opts = apiOptions(command) as ApiOptions & {
      person?: string;
      file: string;
      expiresInHours?: number;
      label?: string;
    };
    if (opts.person === undefined) {
      if (opts.expiresInHours === undefined)
        throw new InvalidArgumentError(
          'give the lifetime: --expires-in-hours N (a gateway credential outlives no sign-in by default)',
        );
      await mintOwn({ ...opts, expiresInHours: opts.expiresInHours });
      return;
    }
    const made = createCredential(
      opts.file,
      opts.person,
      (opts.expiresInHours ?? 12) * 3600_000,
      Date.now(),
      randomBytes,
    );
    console.log(
      `Gateway credential ${made.id} for ${opts.person}, expires ${made.expiresAt}. The secret is shown only now:`,
    );
    console.log(made.secret);
    console.log(`Connect: PGPASSWORD='${made.secret}' psql "host=… port=6432 user=${opts.person}"`);
  });
  listCredentials(credentials);
  withApiOptions(
    credentials
      .command('revoke')
      .description(
        'revoke a gateway credential: by id through the server (yours, or anyone’s for admins), or a person’s in the local file; open sessions end before their next statement',
      )
      .option('--id <id>', 'server mode: the credential id (gwc_…)')
      .option('--person <name>', 'local file mode: the person')
      .option('--file <file>', 'local file mode: the credentials file', DEFAULT_CREDENTIALS_FILE),
    false,
  ).action(async (_opts: unknown, command: Command) => {
    const opts = apiOptions(command) as ApiOptions & { id?: string; person?: string; file: string };
    if ((opts.id === undefined) === (opts.person === undefined))
      throw new InvalidArgumentError('give --id (server) or --person (local file)');
    if (opts.id !== undefined) {
      await revokeById(opts, opts.id);
      return;
    }
    if (!revokeCredential(opts.file, opts.person!, Date.now()))
      throw new Error(`${opts.file}: no live credential for ${opts.person}`);
    console.log(`Revoked the gateway credential of ${opts.person}.`);
  });
  grantsCommand(gateway);
}

/** Re-reads the configuration on SIGHUP and applies it; a file that fails keeps the old one. */
async function reload(
  opts: GatewayOptions,
  first: GatewayConfig | undefined,
  running: RunningGateways,
  announce: (d: RunningDatabase) => void,
): Promise<void> {
  const source = opts.config ?? opts.guardrails ?? 'the command line';
  try {
    const config = opts.config ? loadGatewayConfig(opts.config) : undefined;
    if (config && (config.url !== first?.url || config.credentials !== first?.credentials))
      console.error(
        `evident gateway: ${source}: url and credentials are read at start only; restart the gateway to change them (the rest is applied)`,
      );
    const before = new Set(running.databases);
    const done = await running.reload(config?.databases ?? [singleDatabase(opts)]);
    for (const d of running.databases) if (!before.has(d)) announce(d);
    console.log(
      `evident gateway: reloaded ${source}: ${[
        `${done.updated.length} updated`,
        ...(done.started.length ? [`started ${done.started.join(', ')}`] : []),
        ...(done.stopping.length
          ? [`stopped accepting ${done.stopping.join(', ')} (live sessions go on)`]
          : []),
      ].join('; ')}`,
    );
  } catch (error) {
    console.error(
      `evident gateway: reload refused, the running configuration stays: ${(error as Error).message}`,
    );
  }
}

/** Options that describe one database: with --config, the file says them per database. */
const PER_DATABASE = [
  'listen',
  'upstream',
  'mode',
  'redact',
  'tlsCert',
  'tlsKey',
  'tlsRequire',
  'guardrails',
  'queue',
  'maxMessageBytes',
] as const;

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The one database of a gateway started without --config. */
function singleDatabase(opts: GatewayOptions): DatabaseConfig {
  const upstream = opts.upstream ?? process.env.EVIDENT_GATEWAY_UPSTREAM;
  if (!upstream)
    throw new Error(
      'no upstream: pass --upstream postgres://role@host:5432/database (or --config FILE)',
    );
  if (opts.mode !== 'observe' && opts.mode !== 'fail_closed')
    throw new Error('--mode must be observe or fail_closed');
  if (!isRedactionPolicy(opts.redact)) throw new Error('--redact must be none, literals or all');
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey))
    throw new Error('--tls-cert and --tls-key go together');
  if (opts.tlsRequire && !opts.tlsCert)
    throw new Error('--tls-require needs --tls-cert and --tls-key');
  let listen: { host: string; port: number };
  try {
    listen = parseListen(opts.listen);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return {
    name: new URL(upstream).pathname.slice(1),
    ...listen,
    upstream,
    mode: opts.mode,
    redaction: opts.redact,
    guardrails: opts.guardrails ? loadGuardrails(opts.guardrails) : [],
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
  };
}
