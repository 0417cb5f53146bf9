import { bytesEqual, toBase64 } from '../core/bytes.js';
import { openCheckpoint } from '../core/checkpoint.js';
import { CoreError } from '../core/errors.js';
import { MerkleFrontier, pow2 } from '../core/merkle.js';
import { type NoteVerifier, parseVerifierKey } from '../core/note.js';
import type { NewEntry, Store, StoredNode } from '../store/store.js';
import { checkRecordText } from './entry-check.js';
import { fail, ProblemFound, type VerifyReport } from './report.js';

const PAGE = 5000;

export interface VerifyStoreOptions {
  /** Pin the log's verifier key; default: the key recorded in the store. */
  verifierKey?: string;
  onProgress?: (checked: number, total: number) => void;
}

/**
 * Offline verification of a whole store (`evident verify --data`): every leaf recomputed
 * from its record, every indexed column checked against the record, the tree rebuilt and
 * compared with EVERY signed checkpoint and every stored node. Stops at the first problem.
 */
export async function verifyStore(
  store: Store,
  options: VerifyStoreOptions = {},
): Promise<VerifyReport> {
  const report: VerifyReport = {
    ok: false,
    treeSize: 0,
    entriesChecked: 0,
    checkpointsChecked: 0,
    nodesChecked: 0,
    problems: [],
  };
  try {
    const keyText = options.verifierKey ?? (await store.getMeta('verifier_key'));
    if (keyText === undefined)
      fail('bad_verifier_key', 'the store records no verifier key; pass one with --key');
    let verifier: NoteVerifier;
    try {
      verifier = parseVerifierKey(keyText);
    } catch (error) {
      fail('bad_verifier_key', `the verifier key does not parse: ${(error as Error).message}`);
    }

    const checkpoints = await loadCheckpoints(store, verifier, report);
    const latest = checkpoints.at(-1);
    if (!latest) fail('checkpoint_invalid', 'the store has no signed checkpoint');
    report.treeSize = latest.size;
    report.rootHash = toBase64(latest.rootHash);

    // A server may be appending while we read: entries and checkpoints past `latest` are
    // then new batches, not extra rows. The checks below stop at `latest`.
    const counts = await store.counts();
    const live = ((await store.head())?.size ?? 0) > latest.size;
    if (!live && (counts.maxSeq >= latest.size || counts.entries > latest.size)) {
      fail(
        'entry_extra',
        `the store holds ${counts.entries} entries (highest seq ${counts.maxSeq}) but the latest signed checkpoint covers ${latest.size}`,
        counts.maxSeq,
      );
    }
    const nodes = new NodeChecker(store);
    const frontier = MerkleFrontier.empty();
    let nextCheckpoint = 0;
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.size === 0)
      nextCheckpoint++;
    let previousCheckpoint = 0;
    scan: for await (const page of store.scanEntries(0, PAGE)) {
      for (const entry of page) {
        const seq = frontier.size;
        if (seq >= latest.size) break scan;
        if (entry.seq !== seq) {
          fail(
            'entry_missing',
            `entry ${seq} is missing (the next stored entry is ${entry.seq}): a row was deleted`,
            seq,
          );
        }
        checkColumns(entry, checkRecordText(seq, entry.record, entry.leafHash));
        for (const node of frontier.append(entry.leafHash)) await nodes.check(node);
        report.entriesChecked++;
        const cp = checkpoints[nextCheckpoint];
        if (cp && cp.size === frontier.size) {
          if (!bytesEqual(frontier.root(), cp.rootHash)) {
            fail(
              'checkpoint_mismatch',
              `the signed checkpoint for tree size ${cp.size} does not match the entries: an entry between seq ${previousCheckpoint} and ${cp.size - 1} was changed, removed or reordered (the checkpoint for size ${previousCheckpoint} still matched)`,
              cp.size - 1,
            );
          }
          previousCheckpoint = cp.size;
          nextCheckpoint++;
        }
      }
      options.onProgress?.(report.entriesChecked, latest.size);
    }
    options.onProgress?.(report.entriesChecked, latest.size);
    if (frontier.size < latest.size) {
      fail(
        'entry_missing',
        `the log ends at ${frontier.size} entries but the latest signed checkpoint covers ${latest.size}: entries were truncated`,
        frontier.size,
      );
    }
    report.nodesChecked = nodes.checked;
    const expectedNodes = completeNodeCount(latest.size);
    if (!live && counts.nodes !== expectedNodes) {
      fail(
        'node_extra',
        `the store holds ${counts.nodes} tree nodes; a tree of ${latest.size} has ${expectedNodes}`,
      );
    }
    report.ok = true;
  } catch (error) {
    if (!(error instanceof ProblemFound)) throw error;
    report.problems.push(error.problem);
  }
  return report;
}

async function loadCheckpoints(
  store: Store,
  verifier: NoteVerifier,
  report: VerifyReport,
): Promise<{ size: number; rootHash: Uint8Array }[]> {
  const all: { size: number; rootHash: Uint8Array }[] = [];
  for await (const page of store.scanCheckpoints(PAGE)) {
    for (const row of page) {
      let parsed: ReturnType<typeof openCheckpoint>;
      try {
        parsed = openCheckpoint(row.note, [verifier]);
      } catch (error) {
        const why = error instanceof CoreError ? error.code : 'error';
        fail(
          'checkpoint_invalid',
          `the checkpoint for tree size ${row.size} is not validly signed by ${verifier.name} (${why})`,
        );
      }
      if (parsed.size !== row.size || !bytesEqual(parsed.rootHash, row.rootHash)) {
        fail(
          'checkpoint_invalid',
          `the checkpoint row for size ${row.size} does not match its signed note`,
        );
      }
      all.push({ size: parsed.size, rootHash: parsed.rootHash });
      report.checkpointsChecked++;
    }
  }
  return all;
}

/** Indexed columns drive search: a changed column would hide an entry from its own filter. */
function checkColumns(
  entry: NewEntry,
  record: {
    id: string;
    source: string;
    actor: { id: string };
    action: string;
    outcome: string;
    time: string;
    received_at: string;
    target?: { type?: string; id: string };
  },
): void {
  const expected: [string, unknown, unknown][] = [
    ['id', entry.id, record.id],
    ['source', entry.source, record.source],
    ['actor_id', entry.actorId, record.actor.id],
    ['action', entry.action, record.action],
    ['outcome', entry.outcome, record.outcome],
    ['target_type', entry.targetType, record.target?.type ?? null],
    ['target_id', entry.targetId, record.target?.id ?? null],
    ['time', entry.timeMs, Date.parse(record.time)],
    ['received_at', entry.receivedAtMs, Date.parse(record.received_at)],
  ];
  for (const [column, stored, fromRecord] of expected) {
    if (stored !== fromRecord) {
      fail(
        'record_invalid',
        `entry ${entry.seq}: column ${column} is ${JSON.stringify(stored)} but the record says ${JSON.stringify(fromRecord)}`,
        entry.seq,
      );
    }
  }
}

/** Number of complete subtrees of level ≥ 1 in a tree of `size` leaves. */
export function completeNodeCount(size: number): number {
  let total = 0;
  for (let level = 1; pow2(level) <= size; level++) total += Math.floor(size / pow2(level));
  return total;
}

/**
 * Compares recomputed nodes with stored ones, one ordered stream per level, so memory stays
 * O(log n) however large the log is.
 */
class NodeChecker {
  checked = 0;
  private readonly buffers = new Map<number, { rows: StoredNode[]; pos: number; next: number }>();

  constructor(private readonly store: Store) {}

  async check(node: { level: number; index: number; hash: Uint8Array }): Promise<void> {
    let buffer = this.buffers.get(node.level);
    if (!buffer || buffer.pos >= buffer.rows.length) {
      const from = buffer?.next ?? 0;
      const rows = await this.store.nodesAtLevel(node.level, from, PAGE);
      buffer = { rows, pos: 0, next: rows.length > 0 ? rows[rows.length - 1]!.index + 1 : from };
      this.buffers.set(node.level, buffer);
    }
    const stored = buffer.rows[buffer.pos];
    const at = `tree node level ${node.level} index ${node.index}`;
    const firstLeaf = node.index * pow2(node.level);
    if (!stored || stored.index !== node.index) {
      fail('node_missing', `${at} (leaves ${firstLeaf}…) is missing from the store`, firstLeaf);
    }
    if (!bytesEqual(stored.hash, node.hash)) {
      fail(
        'node_mismatch',
        `${at} (leaves ${firstLeaf}…) differs from the tree rebuilt from the entries`,
        firstLeaf,
      );
    }
    buffer.pos++;
    this.checked++;
  }
}
