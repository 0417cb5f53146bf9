import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { systemClock } from '../util/clock.js';
import { startWitness } from '../witness/start-witness.js';
import { DEFAULT_WITNESS_RATE_LIMIT } from '../witness/witness.js';
import { parseWitnessConfig } from '../witness/witness-config.js';
import { parsePort } from './options.js';

interface WitnessServeOptions {
  data: string;
  name: string;
  config: string;
  host: string;
  port: number;
  rate: number;
  burst: number;
}

function parseRate(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) {
    throw new InvalidArgumentError('must be a positive number');
  }
  return n;
}

function parseBurst(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function witnessCommand(program: Command): void {
  const witness = program
    .command('witness')
    .description(
      'run a C2SP tlog-witness that cosigns checkpoints of the logs it is told to trust',
    );
  witness
    .command('serve')
    .description(
      'serve POST /add-checkpoint (c2sp.org/tlog-witness); makes the witness key on first start',
    )
    .requiredOption('--name <name>', 'the witness name, e.g. witness.example.com/w1 (its key name)')
    .requiredOption(
      '--config <file>',
      'the logs to witness: lines "log <verifier key> [<origin>]" (see docs/witnesses.md)',
    )
    .option('-d, --data <dir>', 'witness folder: witness.key and witness.db', './evident-witness')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on', parsePort, 7380)
    .option(
      '--rate <per-second>',
      'checkpoints accepted per second per log (a burst above it is refused with 429)',
      parseRate,
      1000 / DEFAULT_WITNESS_RATE_LIMIT.refillMs,
    )
    .option(
      '--burst <n>',
      'checkpoints a log may send at once',
      parseBurst,
      DEFAULT_WITNESS_RATE_LIMIT.capacity,
    )
    .action(async (opts: WitnessServeOptions) => {
      let configText: string;
      try {
        configText = readFileSync(opts.config, 'utf8');
      } catch (error) {
        throw new Error(
          `cannot read the witness config ${opts.config}: ${(error as Error).message}`,
        );
      }
      const logs = parseWitnessConfig(configText);
      const running = await startWitness({
        dataDir: opts.data,
        name: opts.name,
        logs,
        host: opts.host,
        port: opts.port,
        clock: systemClock,
        rateLimit: { capacity: opts.burst, refillMs: 1000 / opts.rate },
      });
      console.log(`Evident witness listening on ${running.url}`);
      console.log(`  witness key${running.keyCreated ? ' (new)' : ''}: ${running.key.verifierKey}`);
      console.log(`  witnessing ${logs.size} log(s): ${[...logs.keys()].join(', ')}`);
      const stop = async (signal: string) => {
        console.log(`${signal}: closing`);
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
