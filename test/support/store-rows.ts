import type { NewEntry, Store, StoredCheckpoint } from '../../src/store/store.js';

/**
 * Rows for the store tests: entry `seq` with columns that vary with it (sources, actors,
 * targets, outcomes), and checkpoints whose root and note say their size.
 */
export const hash = (n: number) => new Uint8Array(32).fill(n % 256);

export function entry(seq: number, overrides: Partial<NewEntry> = {}): NewEntry {
  return {
    seq,
    id: `id-${String(seq).padStart(6, '0')}`,
    source: seq % 2 === 0 ? 'billing' : 'hr',
    leafHash: hash(seq),
    record: `{"n":${seq}}`,
    actorId: `u-${seq % 3}`,
    action: seq % 2 === 0 ? 'customer.read' : 'customer.update',
    targetType: seq % 4 === 0 ? null : 'customer',
    targetId: seq % 4 === 0 ? null : `c-${seq % 5}`,
    outcome: seq % 7 === 0 ? 'denied' : 'success',
    timeMs: 1_000 + seq,
    receivedAtMs: 10_000 + Math.floor(seq / 2) * 10,
    ...overrides,
  };
}

export function checkpoint(size: number): StoredCheckpoint {
  return { size, rootHash: hash(200 + size), note: `note ${size}\n`, createdAtMs: 5 };
}

export async function appendEntries(store: Store, from: number, to: number): Promise<void> {
  await store.append(async (tx) => {
    const entries = [];
    for (let s = from; s < to; s++) entries.push(entry(s));
    await tx.insert({ entries, nodes: [], checkpoint: checkpoint(to) });
  });
}
