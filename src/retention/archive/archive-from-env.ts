/**
 * The purge hook as `evident serve` configures it: EVIDENT_ARCHIVE_TARGET names a directory or
 * `s3://bucket/prefix` (S3 settings from the AWS_* variables, target-config.ts). Unset: no
 * archive, and a policy that asks for one makes the purge refuse rather than purge unarchived.
 */
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import { type ArchivedBundle, archiveBeforePurge, type BeforePurge } from './before-purge.js';
import { archiveTargetFromConfig } from './targets/target-config.js';

export const ARCHIVE_TARGET_ENV = 'EVIDENT_ARCHIVE_TARGET';

export function archiveHookFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  log: { store: Store; origin: string; clock?: Clock },
  onArchived?: (bundle: ArchivedBundle) => void,
): BeforePurge | undefined {
  const target = env[ARCHIVE_TARGET_ENV]?.trim();
  if (!target) return undefined;
  return archiveBeforePurge({
    // Built now, so a misconfigured target stops the server at start, not at the first purge.
    target: archiveTargetFromConfig(target, env),
    store: log.store,
    origin: log.origin,
    ...(log.clock ? { clock: log.clock } : {}),
    ...(onArchived ? { onArchived } : {}),
  });
}
