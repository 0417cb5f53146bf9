import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';

const KIND = 'lock';
const ID = 'admin-roles';

interface LockValue {
  holder: string;
  expiresAtMs: number;
}

export interface AdminLockOptions {
  /** How long a holder that died keeps others waiting. */
  ttlMs?: number;
  /** How many times to look again before answering 503. */
  attempts?: number;
  /** Pause between looks (real time: the injected clock may stand still in tests). */
  pauseMs?: number;
}

/**
 * "The last admin cannot be removed" is a check over several account documents, and the
 * Store only compares-and-sets one document at a time: two admins disabling each other at
 * once would each see the other still enabled. Changes that can take admin away therefore
 * run one at a time across every server process, under this lease (a state document taken
 * by compare-and-set, expiring so a crashed holder blocks others for at most `ttlMs`).
 */
export class AdminLock {
  private readonly ttlMs: number;
  private readonly attempts: number;
  private readonly pauseMs: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    options: AdminLockOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.attempts = options.attempts ?? 200;
    this.pauseMs = options.pauseMs ?? 25;
  }

  async run<T>(section: () => Promise<T>): Promise<T> {
    const held = await this.acquire();
    try {
      return await section();
    } finally {
      // Only our own version is deleted: a holder that outlived its lease loses nothing else.
      await this.store.deleteState(KIND, ID, held);
    }
  }

  /** Resolves with the version of the lock document we wrote. */
  private async acquire(): Promise<number> {
    const holder = randomBytes(8).toString('hex');
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const now = this.clock.now();
      const doc = await this.store.getState(KIND, ID);
      const free = !doc || (JSON.parse(doc.value) as LockValue).expiresAtMs <= now;
      if (free) {
        const value: LockValue = { holder, expiresAtMs: now + this.ttlMs };
        const version = doc?.version ?? 0;
        if (await this.store.putState(KIND, ID, JSON.stringify(value), version, now)) {
          return version + 1;
        }
      }
      await sleep(this.pauseMs + Math.floor(Math.random() * this.pauseMs));
    }
    throw new AppError(
      'admin_change_in_progress',
      'another change to admin roles is in progress; try again',
    );
  }
}
