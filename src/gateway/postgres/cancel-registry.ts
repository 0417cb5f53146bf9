import { timingSafeEqual } from 'node:crypto';

interface Entry {
  secretKey: Buffer;
  cancel: () => void;
}

/**
 * The gateway issues its own BackendKeyData to each client and maps a CancelRequest
 * carrying it to the upstream key, which the client never sees.
 */
export class CancelRegistry {
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly random: (n: number) => Buffer) {}

  /** A fresh key for a session; `cancel` sends the upstream CancelRequest. */
  register(cancel: () => void): { processId: number; secretKey: Buffer } {
    let processId: number;
    do processId = this.random(4).readInt32BE() & 0x7fffffff;
    while (processId === 0 || this.entries.has(processId));
    const secretKey = this.random(4);
    this.entries.set(processId, { secretKey, cancel });
    return { processId, secretKey };
  }

  unregister(processId: number): void {
    this.entries.delete(processId);
  }

  /** True when the key matched a live session and its cancel was sent. */
  cancel(processId: number, secretKey: Buffer): boolean {
    const entry = this.entries.get(processId);
    if (
      !entry ||
      entry.secretKey.length !== secretKey.length ||
      !timingSafeEqual(entry.secretKey, secretKey)
    )
      return false;
    entry.cancel();
    return true;
  }
}
