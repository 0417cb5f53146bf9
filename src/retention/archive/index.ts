export { ARCHIVE_TARGET_ENV, archiveHookFromEnv } from './archive-from-env.js';
export {
  type ArchiveBeforePurgeOptions,
  type ArchivedBundle,
  archiveBeforePurge,
  type BeforePurge,
  type PurgeBatchEntry,
} from './before-purge.js';
export { type ArchiveTarget, ArchiveTargetError } from './targets/archive-target.js';
export { type ArchiveTargetConfig, archiveTargetFromConfig } from './targets/target-config.js';
export { type BundleVerdict, verifyBundle } from './verify-bundle.js';
