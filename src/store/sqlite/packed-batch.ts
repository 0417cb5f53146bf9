import type { AppendBatch, StoredCheckpoint } from '../store.js';
import type { WriteStatements } from './connection.js';

/**
 * An append batch as the writer thread receives it: the string columns of every entry in one
 * flat array, the numbers and hashes in typed arrays whose buffers are transferred, not
 * copied. Structured clone of one object per entry writes every property name and a small
 * typed array per hash, for every entry; a flat array of strings and three buffers is a
 * fraction of that (bench/writer-message.ts). Joining the strings into one was slower still:
 * the copy costs more than the per-string clone it saves.
 */
export interface PackedBatch {
  /** Per entry, 8 in a row: id, source, actor_id, action, target_type, target_id, outcome, record. */
  strings: (string | null)[];
  /** Per entry: seq, time_ms, received_at_ms. */
  numbers: Float64Array;
  /** 32 bytes per entry: its leaf hash. */
  leafHashes: Uint8Array;
  /** Per node: level, index. */
  nodeIds: Float64Array;
  /** 32 bytes per node. */
  nodeHashes: Uint8Array;
  checkpoint: StoredCheckpoint;
}

const STRINGS = 8;
const HASH_BYTES = 32;

export function packBatch(batch: AppendBatch): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  const n = batch.entries.length;
  const strings: (string | null)[] = new Array(n * STRINGS);
  const numbers = new Float64Array(n * 3);
  const leafHashes = new Uint8Array(n * HASH_BYTES);
  for (let i = 0; i < n; i++) {
    const e = batch.entries[i]!;
    const k = i * STRINGS;
    strings[k] = e.id;
    strings[k + 1] = e.source;
    strings[k + 2] = e.actorId;
    strings[k + 3] = e.action;
    strings[k + 4] = e.targetType;
    strings[k + 5] = e.targetId;
    strings[k + 6] = e.outcome;
    strings[k + 7] = e.record;
    numbers[i * 3] = e.seq;
    numbers[i * 3 + 1] = e.timeMs;
    numbers[i * 3 + 2] = e.receivedAtMs;
    leafHashes.set(hashOf(e.leafHash), i * HASH_BYTES);
  }
  const m = batch.nodes.length;
  const nodeIds = new Float64Array(m * 2);
  const nodeHashes = new Uint8Array(m * HASH_BYTES);
  for (let i = 0; i < m; i++) {
    const node = batch.nodes[i]!;
    nodeIds[i * 2] = node.level;
    nodeIds[i * 2 + 1] = node.index;
    nodeHashes.set(hashOf(node.hash), i * HASH_BYTES);
  }
  return {
    packed: {
      strings,
      numbers,
      leafHashes,
      nodeIds,
      nodeHashes,
      checkpoint: batch.checkpoint,
    },
    transfer: [numbers.buffer, leafHashes.buffer, nodeIds.buffer, nodeHashes.buffer],
  };
}

/** On the writer thread: the rows of a packed batch, inserted inside the open transaction. */
export function insertPacked(w: WriteStatements, p: PackedBatch): void {
  const n = p.numbers.length / 3;
  const s = p.strings;
  for (let i = 0; i < n; i++) {
    const k = i * STRINGS;
    w.insertEntry.run(
      p.numbers[i * 3],
      s[k],
      s[k + 1],
      s[k + 2],
      s[k + 3],
      s[k + 4],
      s[k + 5],
      s[k + 6],
      p.numbers[i * 3 + 1],
      p.numbers[i * 3 + 2],
      s[k + 7],
      p.leafHashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES),
    );
  }
  for (let i = 0; i < p.nodeIds.length / 2; i++) {
    w.insertNode.run(
      p.nodeIds[i * 2],
      p.nodeIds[i * 2 + 1],
      p.nodeHashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES),
    );
  }
  const c = p.checkpoint;
  w.insertCheckpoint.run(c.size, c.rootHash, c.note, c.createdAtMs);
}

function hashOf(hash: Uint8Array): Uint8Array {
  if (hash.length !== HASH_BYTES) throw new Error(`a hash of ${hash.length} bytes, not 32`);
  return hash;
}
