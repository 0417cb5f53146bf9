import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_WITNESSED_ACK_TIMEOUT_MS } from '../log/witnessed-ack.js';
import { heapGrowingPercent, limitHeapGrowth } from '../server/heap-growth.js';
import { describeLocation } from '../store/open-store.js';
import { exposureWarnings } from '../util/private-files.js';
import { readWitnessPolicy } from '../verify/witness-check.js';
import { DB_FLAG, DB_HELP, databaseUrlOption, dataDirOption, parsePort } from './options.js';
import { addSignInOptions, type SignInFlags, signInOptions } from './sign-in-options.js';

interface ServeOptions extends SignInFlags {
  data?: string;
  db?: string;
  host: string;
  port: number;
  origin?: string;
  logLevel: string;
  rules?: string;
  monitor: boolean;
  notifications?: string;
  bootstrapToken: boolean;
  syslog: string[];
  syslogCert?: string;
  syslogKey?: string;
  syslogRules?: string;
  mappings?: string;
  witnessPolicy?: string;
  witnessedAck: boolean;
  witnessedAckTimeout?: number;
}

function parseTimeout(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new InvalidArgumentError('a timeout in milliseconds, e.g. 5000');
  }
  return Number(value);
}

/** `--witnessed-ack` needs a policy whose quorum the witnesses with a URL can reach. */
function witnessedAckOption(
  opts: ServeOptions,
  quorum: number | undefined,
  submitted: number,
): { quorum: number; timeoutMs: number } | undefined {
  if (!opts.witnessedAck && process.env.EVIDENT_WITNESSED_ACK !== 'on') return undefined;
  if (quorum === undefined) {
    throw new Error(
      '--witnessed-ack needs --witness-policy FILE: the witnesses (with URLs) and the quorum to wait for',
    );
  }
  if (submitted < quorum) {
    throw new Error(
      `--witnessed-ack waits for ${quorum} cosignatures but the policy gives a URL for ${submitted} witness(es); add URLs or lower the quorum`,
    );
  }
  const fromEnv = process.env.EVIDENT_WITNESSED_ACK_TIMEOUT;
  const timeoutMs =
    opts.witnessedAckTimeout ??
    (fromEnv ? parseTimeout(fromEnv) : DEFAULT_WITNESSED_ACK_TIMEOUT_MS);
  return { quorum, timeoutMs };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function serveCommand(program: Command): void {
  addSignInOptions(program.command('serve'))
    .description(
      'run the Evident server: the API and the web dashboard at / (embedded SQLite by default, or PostgreSQL with --db)',
    )
    .option(
      '-d, --data <dir>',
      'data folder: log key, admin token, SQLite database (env EVIDENT_DATA)',
    )
    .option(DB_FLAG, DB_HELP)
    .option(
      '--host <host>',
      'address to listen on (env EVIDENT_HOST)',
      process.env.EVIDENT_HOST ?? '127.0.0.1',
    )
    .option(
      '-p, --port <port>',
      'port to listen on (env EVIDENT_PORT)',
      parsePort,
      Number(process.env.EVIDENT_PORT ?? 8080),
    )
    .option(
      '--origin <origin>',
      'log origin for a NEW log (env EVIDENT_ORIGIN); default evident.local/<hostname>',
    )
    .option(
      '--log-level <level>',
      'server log level: fatal, error, warn, info, debug',
      process.env.EVIDENT_LOG_LEVEL ?? 'warn',
    )
    .option(
      '--rules <file>',
      'alert rules (YAML) on top of the built-in ISO 27001 pack (env EVIDENT_RULES); see docs/rules.md',
    )
    .option('--no-monitor', 'run no alert rule engine in this process (env EVIDENT_MONITOR=off)')
    .option(
      '--notifications <file>',
      'notification channels (YAML/JSON, docs/notifications.md) applied at start (env EVIDENT_NOTIFICATIONS)',
    )
    .option(
      '--no-bootstrap-token',
      'refuse the bootstrap admin token once named admins exist (env EVIDENT_BOOTSTRAP_TOKEN=off); see docs/security.md',
    )
    .option(
      '--syslog <url>',
      "receive syslog: tcp://HOST:PORT?key=KEY_ID or tls://HOST:PORT?key=KEY_ID[&client_ca=FILE&client_cn=NAME]; repeatable; events get the ingest key's source (docs/connect.md)",
      collect,
      [] as string[],
    )
    .option('--syslog-cert <file>', 'PEM certificate (chain) for tls:// syslog listeners')
    .option('--syslog-key <file>', 'PEM private key for tls:// syslog listeners')
    .option(
      '--syslog-rules <file>',
      'YAML mapping rules for syslog lines, applied before the built-in sshd/sudo/su/PAM/PostgreSQL maps (docs/connect.md)',
    )
    .option(
      '--mappings <file>',
      'YAML named mappings for POST /api/v1/ingest/:mapping, beside the built-in fluent-bit, vector, syslog-ng and postgres-csvlog (docs/connect.md)',
    )
    .option(
      '--witness-policy <file>',
      'submit checkpoints to the witnesses of this policy that have a URL and serve their cosignatures (env EVIDENT_WITNESS_POLICY); see docs/witnesses.md',
    )
    .option(
      '--witnessed-ack',
      'ingest acks (POST /api/v1/events) wait until the quorum of --witness-policy cosigned a checkpoint covering them (env EVIDENT_WITNESSED_ACK=on); see docs/witnesses.md',
    )
    .option(
      '--witnessed-ack-timeout <ms>',
      `longest wait of a witnessed ack, then 201 with witnessed: false (env EVIDENT_WITNESSED_ACK_TIMEOUT; default ${DEFAULT_WITNESSED_ACK_TIMEOUT_MS})`,
      parseTimeout,
    )
    .action(async (opts: ServeOptions) => {
      // Before anything is loaded: bounds the garbage the V8 heap holds (docs/operations.md).
      limitHeapGrowth(heapGrowingPercent(process.env.EVIDENT_HEAP_GROWING_PERCENT));
      const policyFile = opts.witnessPolicy ?? (process.env.EVIDENT_WITNESS_POLICY || undefined);
      const policy = policyFile ? readWitnessPolicy(policyFile) : undefined;
      const witnesses = policy?.witnesses ?? [];
      const submitted = witnesses.filter((w): w is typeof w & { url: string } => !!w.url);
      const witnessedAck = witnessedAckOption(opts, policy?.quorum, submitted.length);
      const dataDir = dataDirOption(opts.data);
      const databaseUrl = databaseUrlOption(opts.db);
      const rulesPath = opts.rules ?? (process.env.EVIDENT_RULES || undefined);
      const monitor = opts.monitor && process.env.EVIDENT_MONITOR !== 'off';
      const notifications = opts.notifications ?? (process.env.EVIDENT_NOTIFICATIONS || undefined);
      // The server's modules load here, not with the CLI, so every other command starts
      // without them; and after the heap limit above, as its comment says.
      const { startServer } = await import('../server/start-server.js');
      const server = await startServer({
        dataDir,
        databaseUrl,
        host: opts.host,
        port: opts.port,
        origin: opts.origin ?? process.env.EVIDENT_ORIGIN,
        adminTokenFromEnv: process.env.EVIDENT_ADMIN_TOKEN,
        logLevel: opts.logLevel,
        signIn: signInOptions(opts),
        bootstrapToken: opts.bootstrapToken && process.env.EVIDENT_BOOTSTRAP_TOKEN !== 'off',
        ...(notifications ? { notificationsFile: notifications } : {}),
        ...(rulesPath ? { rulesFile: { name: rulesPath, text: readRules(rulesPath) } } : {}),
        monitor,
        ...(opts.mappings ? { mappingsFile: opts.mappings } : {}),
        syslog: {
          listen: opts.syslog,
          ...(opts.syslogCert ? { certFile: opts.syslogCert } : {}),
          ...(opts.syslogKey ? { keyFile: opts.syslogKey } : {}),
          ...(opts.syslogRules ? { rulesFile: opts.syslogRules } : {}),
        },
        witnesses: submitted,
        ...(witnessedAck ? { witnessedAck } : {}),
      });
      const head = await server.log.store.head();
      console.log(`Evident listening on ${server.url}`);
      console.log(
        `  store: ${describeLocation({ dataDir, databaseUrl })}   origin: ${server.log.origin}   tree size: ${head?.size ?? 0}`,
      );
      console.log(
        monitor
          ? `  alert rules: iso27001 pack${rulesPath ? ` + ${rulesPath}` : ''} (evident rules list)`
          : '  alert rules: off in this process (--no-monitor)',
      );
      for (const l of server.syslog) {
        console.log(
          `  syslog: ${l.spec.protocol}://${l.address.host}:${l.address.port} as source ${l.source}`,
        );
      }
      if (!server.bootstrapToken) console.log('  bootstrap admin token: off');
      for (const line of exposureWarnings(dataDir)) console.error(line);
      if (policyFile) {
        console.log(
          `  witnesses: ${submitted.map((w) => `${w.name} (${w.url})`).join(', ') || 'none with a URL'}`,
        );
        for (const w of witnesses.filter((w) => !w.url))
          console.log(`  witness ${w.name} has no URL in ${policyFile}: not submitted to`);
      }
      if (witnessedAck) {
        console.log(
          `  witnessed acks: ingest waits for ${witnessedAck.quorum} cosignature(s), at most ${witnessedAck.timeoutMs} ms`,
        );
      }
      for (const [channel, secret] of Object.entries(server.generatedWebhookSecrets)) {
        console.log(`  Webhook secret for "${channel}" (shown once; give it to the receiver):`);
        console.log(`    ${secret}`);
      }
      if (server.generatedAdminToken) {
        console.log('');
        console.log(`  Admin token (shown once; also saved to ${dataDir}/admin.token, mode 0600):`);
        console.log(`    ${server.generatedAdminToken}`);
        console.log('');
      }
      const stop = async (signal: string) => {
        console.log(`${signal}: finishing in-flight batches and closing`);
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

function readRules(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the rules file ${path}: ${(error as Error).message}`);
  }
}
