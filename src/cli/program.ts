import { Command } from 'commander';
import { alertsCommand } from './alerts.js';
import { approvalsCommand } from './approvals.js';
import { archiveCommand } from './archive.js';
import { checkpointCommand } from './checkpoint.js';
import { exportCommand } from './export.js';
import { forwardCommand } from './forward.js';
import { gatewayCommand } from './gateway.js';
import { holdsCommand } from './holds.js';
import { ingestCommand } from './ingest.js';
import { initCommand } from './init.js';
import { keysCommand } from './keys.js';
import { loginCommands } from './login.js';
import { migrateCommand } from './migrate.js';
import { monitorLogCommand } from './monitor-log.js';
import { notificationsCommand } from './notifications.js';
import { packCommand } from './pack.js';
import { principalsCommand } from './principals.js';
import { proofCommand } from './proof.js';
import { reportCommand } from './report.js';
import { retentionCommand } from './retention.js';
import { reviewsCommand } from './reviews.js';
import { rulesCommand } from './rules.js';
import { searchCommand } from './search.js';
import { serveCommand } from './serve.js';
import { sourcesCommand } from './sources.js';
import { tokensCommand } from './tokens.js';
import { verifyCommand } from './verify.js';
import { packageVersion } from './version.js';
import { whoamiCommand } from './whoami.js';
import { witnessCommand } from './witness.js';

/** Every command of the `evident` CLI (main.ts runs it; tests walk it). */
export function buildProgram(): Command {
  const program = new Command()
    .name('evident')
    .description('Evident: a tamper-evident audit log. Who accessed what, and when — provably.')
    .version(packageVersion(), '-V, --version', 'print the version of evident')
    .showHelpAfterError();
  serveCommand(program);
  initCommand(program);
  keysCommand(program);
  ingestCommand(program);
  searchCommand(program);
  exportCommand(program);
  forwardCommand(program);
  sourcesCommand(program);
  retentionCommand(program);
  holdsCommand(program);
  checkpointCommand(program);
  proofCommand(program);
  verifyCommand(program);
  migrateCommand(program);
  rulesCommand(program);
  notificationsCommand(program);
  alertsCommand(program);
  principalsCommand(program);
  tokensCommand(program);
  approvalsCommand(program);
  loginCommands(program);
  whoamiCommand(program);
  witnessCommand(program);
  monitorLogCommand(program);
  gatewayCommand(program);
  packCommand(program);
  reviewsCommand(program);
  archiveCommand(program);
  reportCommand(program);
  return program;
}
