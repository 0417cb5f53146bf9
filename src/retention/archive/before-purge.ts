/**
 * The purge runner's `beforePurge` hook: archive the payloads about to be purged, and resolve
 * only once the archive holds them (durable in a directory, or stored and read back from an
 * S3-compatible bucket). Any failure rejects, and the purge must not go on.
 *
 *   const beforePurge = archiveBeforePurge({ target: 's3://audit-archive/evident/', store, origin });
 *   await beforePurge(batch, checkpoint); // then delete the payloads
 */
import type { Store } from '../../store/store.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { MAX_BUNDLE_ENTRIES } from './build-bundle.js';
import { bundleFromStore } from './cut-bundle.js';
import type { SignedCheckpoint } from './read-from-store.js';
import type { ArchiveTarget } from './targets/archive-target.js';
import { type ArchiveTargetConfig, archiveTargetFromConfig } from './targets/target-config.js';

/** One entry of a purge batch, as stored. */
export interface PurgeBatchEntry {
  seq: number;
  leafHash: Uint8Array;
  /** The canonical record text, as stored (StoredEntry.record). */
  record: string;
}

export type BeforePurge = (
  entries: readonly PurgeBatchEntry[],
  checkpoint: SignedCheckpoint,
) => Promise<void>;

export interface ArchivedBundle {
  location: string;
  sha256: string;
  count: number;
  firstSeq: number;
  lastSeq: number;
}

export interface ArchiveBeforePurgeOptions {
  /** A directory, `s3://bucket/prefix`, a full config, or a target already built. */
  target: string | ArchiveTargetConfig | ArchiveTarget;
  store: Store;
  origin: string;
  clock?: Clock;
  /** Told of each confirmed bundle (the purge event may name it). */
  onArchived?: (bundle: ArchivedBundle) => void;
}

export function archiveBeforePurge(options: ArchiveBeforePurgeOptions): BeforePurge {
  const target =
    typeof options.target === 'object' && 'put' in options.target
      ? options.target
      : archiveTargetFromConfig(options.target);
  const clock = options.clock ?? systemClock;
  return async (entries, checkpoint) => {
    const sorted = [...entries].sort((a, b) => a.seq - b.seq);
    // A batch larger than one bundle may hold becomes several, each confirmed in turn.
    for (let i = 0; i < sorted.length; i += MAX_BUNDLE_ENTRIES) {
      const part = sorted.slice(i, i + MAX_BUNDLE_ENTRIES);
      const cut = await bundleFromStore(options.store, options.origin, part, checkpoint, clock);
      const location = await target.put(cut.name, cut.zip);
      options.onArchived?.({
        location,
        sha256: cut.sha256,
        count: cut.manifest.entries.count,
        firstSeq: cut.manifest.entries.first_seq,
        lastSeq: cut.manifest.entries.last_seq,
      });
    }
  };
}
