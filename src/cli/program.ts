import { Command } from 'commander';
import { packageVersion } from './version.js';

/** Registers one top-level command (or a pair, such as login and logout) on the program. */
type Register = (program: Command) => void;

interface CommandModule {
  /** The top-level commands it registers (test/cli/program.test.ts holds it to them). */
  names: readonly string[];
  load: () => Promise<Register>;
}

/**
 * Every command of the `evident` CLI, in the order help lists them, each with the module that
 * registers it. A command's module (and what it imports: the stores, the query builder, the
 * witness's HTTP server…) loads only when that command runs, or for help: loading all of
 * them cost every start of the CLI about a quarter of a second.
 */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { names: ['serve'], load: async () => (await import('./serve.js')).serveCommand },
  { names: ['init'], load: async () => (await import('./init.js')).initCommand },
  { names: ['keys'], load: async () => (await import('./keys.js')).keysCommand },
  { names: ['ingest'], load: async () => (await import('./ingest.js')).ingestCommand },
  { names: ['search'], load: async () => (await import('./search.js')).searchCommand },
  { names: ['export'], load: async () => (await import('./export.js')).exportCommand },
  { names: ['forward'], load: async () => (await import('./forward.js')).forwardCommand },
  { names: ['sources'], load: async () => (await import('./sources.js')).sourcesCommand },
  { names: ['retention'], load: async () => (await import('./retention.js')).retentionCommand },
  { names: ['holds'], load: async () => (await import('./holds.js')).holdsCommand },
  { names: ['checkpoint'], load: async () => (await import('./checkpoint.js')).checkpointCommand },
  { names: ['proof'], load: async () => (await import('./proof.js')).proofCommand },
  { names: ['verify'], load: async () => (await import('./verify.js')).verifyCommand },
  { names: ['migrate'], load: async () => (await import('./migrate.js')).migrateCommand },
  { names: ['rules'], load: async () => (await import('./rules.js')).rulesCommand },
  {
    names: ['notifications'],
    load: async () => (await import('./notifications.js')).notificationsCommand,
  },
  { names: ['alerts'], load: async () => (await import('./alerts.js')).alertsCommand },
  { names: ['principals'], load: async () => (await import('./principals.js')).principalsCommand },
  { names: ['tokens'], load: async () => (await import('./tokens.js')).tokensCommand },
  { names: ['approvals'], load: async () => (await import('./approvals.js')).approvalsCommand },
  { names: ['login', 'logout'], load: async () => (await import('./login.js')).loginCommands },
  { names: ['whoami'], load: async () => (await import('./whoami.js')).whoamiCommand },
  { names: ['witness'], load: async () => (await import('./witness.js')).witnessCommand },
  {
    names: ['monitor-log'],
    load: async () => (await import('./monitor-log.js')).monitorLogCommand,
  },
  { names: ['gateway'], load: async () => (await import('./gateway.js')).gatewayCommand },
  { names: ['pack'], load: async () => (await import('./pack.js')).packCommand },
  { names: ['reviews'], load: async () => (await import('./reviews.js')).reviewsCommand },
  { names: ['archive'], load: async () => (await import('./archive.js')).archiveCommand },
  { names: ['report'], load: async () => (await import('./report.js')).reportCommand },
];

const VERSION_FLAGS = new Set(['-V', '--version']);

function rootProgram(): Command {
  return new Command()
    .name('evident')
    .description('Evident: a tamper-evident audit log. Who accessed what, and when — provably.')
    .version(packageVersion(), '-V, --version', 'print the version of evident')
    .showHelpAfterError();
}

/** Every command of the `evident` CLI (help lists them all; tests walk them). */
export async function buildProgram(): Promise<Command> {
  const program = rootProgram();
  const registers = await Promise.all(COMMAND_MODULES.map((m) => m.load()));
  for (const register of registers) register(program);
  return program;
}

/**
 * The program main.ts parses `argv` with: only the named command's module when argv names
 * one, nothing for the version, and every command otherwise (help, a mistyped command that
 * help's suggestions should name).
 */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const first = argv[2] ?? '';
  if (VERSION_FLAGS.has(first)) return rootProgram();
  const named = COMMAND_MODULES.find((m) => m.names.includes(first));
  if (!named) return buildProgram();
  const program = rootProgram();
  (await named.load())(program);
  return program;
}
