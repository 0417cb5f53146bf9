import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { WitnessPolicy } from '../core/witness-policy.js';
import { describeVerdict } from '../core/witness-policy.js';
import { checkLog, type LogLook } from '../log-monitor/check-log.js';
import { readMonitorState, writeMonitorState } from '../log-monitor/monitor-state.js';
import { postFindings } from '../log-monitor/post-findings.js';
import { readWitnessPolicy } from '../verify/witness-check.js';
import { apiClient, TOKEN_HELP } from './api-command.js';

interface MonitorLogOptions {
  url: string;
  token?: string;
  state: string;
  witnessPolicy?: string;
  webhook?: string;
  key?: string;
  once?: boolean;
  interval: number;
  grace: number;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) {
    throw new InvalidArgumentError('must be a number of seconds');
  }
  return n;
}

/** Cosignatures come asynchronously: a fresh checkpoint may lack them for a moment. */
const COSIGNATURE_RETRY_MS = 1000;

export function monitorLogCommand(program: Command): void {
  program
    .command('monitor-log')
    .description(
      'watch a log as a second party: each new checkpoint must extend the last one seen (no fork, no rollback) and carry the witness cosignatures of --witness-policy; exits 2 and posts --webhook on a finding',
    )
    .requiredOption('-u, --url <url>', 'the log server to watch')
    .option('-t, --token <token>', TOKEN_HELP)
    .requiredOption(
      '--state <file>',
      'where the last accepted checkpoint is kept between runs (made on the first run)',
    )
    .option('--witness-policy <file>', 'require k witness cosignatures (docs/witnesses.md)')
    .option('--webhook <url>', 'POST findings as JSON to this URL')
    .option('-k, --key <verifier-key>', "pin the log's verifier key (recommended)")
    .option('--once', 'look once and exit (for cron): 0 clean, 2 on a finding')
    .option('--interval <seconds>', 'seconds between looks when not --once', parseSeconds, 60)
    .option(
      '--grace <seconds>',
      'how long a new checkpoint may lack cosignatures before that is a finding',
      parseSeconds,
      30,
    )
    .action(async (opts: MonitorLogOptions) => {
      const policy = opts.witnessPolicy ? readWitnessPolicy(opts.witnessPolicy) : undefined;
      const url = opts.url.replace(/\/+$/, '');
      const client = apiClient({ url, token: opts.token });
      for (;;) {
        const look = await lookWithGrace(opts, url, client, policy);
        if (look.state) writeMonitorState(opts.state, look.state);
        if (look.findings.length > 0) {
          for (const f of look.findings) console.error(`FINDING [${f.kind}]: ${f.message}`);
          if (opts.webhook) {
            await postFindings(opts.webhook, {
              type: 'evident.log_monitor.findings',
              log_url: url,
              origin: look.checkpoint?.origin ?? look.state?.origin,
              findings: look.findings,
              checked_at: new Date().toISOString(),
            }).catch((error: unknown) => {
              console.error(`evident: could not post to the webhook: ${(error as Error).message}`);
            });
          }
          // A fork or a rollback does not heal: stop, so a supervisor or cron notices.
          process.exitCode = 2;
          return;
        }
        const size = look.checkpoint?.size;
        const witnessed = look.verdict ? `; ${describeVerdict(look.verdict)}` : '';
        console.log(
          `OK: ${look.checkpoint?.origin} at size ${size} extends what was seen${witnessed}`,
        );
        if (opts.once) return;
        await sleep(opts.interval * 1000);
      }
    });
}

async function lookWithGrace(
  opts: MonitorLogOptions,
  url: string,
  client: ReturnType<typeof apiClient>,
  policy: WitnessPolicy | undefined,
): Promise<LogLook> {
  const deadline = Date.now() + opts.grace * 1000;
  for (;;) {
    const look = await checkLog(client, {
      url,
      previous: readMonitorState(opts.state),
      ...(policy ? { policy } : {}),
      ...(opts.key ? { verifierKey: opts.key } : {}),
      now: () => new Date(),
    });
    const onlyUnwitnessed = look.findings.every((f) => f.kind === 'missing_cosignature');
    if (look.findings.length === 0 || !onlyUnwitnessed || Date.now() >= deadline) return look;
    await sleep(COSIGNATURE_RETRY_MS);
  }
}
