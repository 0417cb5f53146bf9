import type { SignInState } from '../accounts/accounts.js';

/**
 * Account lock-out after repeated failed sign-ins (OWASP Authentication Cheat Sheet,
 * "Account Lockout"; NIST SP 800-63B §5.2.2 rate limiting). `maxFailures` failures, each
 * within `windowMs` of the previous failure or of the end of the last lock, lock the account
 * for `firstLockMs`; every further failure after a lock doubles it, up to `maxLockMs`. A
 * success resets the count.
 */
export interface LockPolicy {
  maxFailures: number;
  windowMs: number;
  firstLockMs: number;
  maxLockMs: number;
}

export const DEFAULT_LOCK_POLICY: LockPolicy = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  firstLockMs: 60_000,
  maxLockMs: 3_600_000,
};

export const NO_SIGN_INS: SignInState = {
  failures: 0,
  lastFailureMs: null,
  lockedUntilMs: null,
  lastSuccessMs: null,
};

/** The end of the current lock, or undefined when the account may try. */
export function lockedUntil(state: SignInState, nowMs: number): number | undefined {
  return state.lockedUntilMs !== null && state.lockedUntilMs > nowMs
    ? state.lockedUntilMs
    : undefined;
}

/** The state after a wrong password (not called while locked: those attempts are not checked). */
export function afterFailure(state: SignInState, nowMs: number, policy: LockPolicy): SignInState {
  // A lock's end counts as the last failure, so failing again right after a long lock keeps
  // escalating instead of starting over.
  const last = Math.max(state.lastFailureMs ?? -Infinity, state.lockedUntilMs ?? -Infinity);
  const failures = nowMs - last <= policy.windowMs ? state.failures + 1 : 1;
  const over = failures - policy.maxFailures;
  const lockMs =
    over < 0 ? 0 : Math.min(policy.firstLockMs * 2 ** Math.min(over, 30), policy.maxLockMs);
  return {
    ...state,
    failures,
    lastFailureMs: nowMs,
    lockedUntilMs: lockMs > 0 ? nowMs + lockMs : state.lockedUntilMs,
  };
}

export function afterSuccess(nowMs: number): SignInState {
  return { failures: 0, lastFailureMs: null, lockedUntilMs: null, lastSuccessMs: nowMs };
}

/**
 * A token bucket per client address (in this process's memory: a restart or a second server
 * starts afresh, and behind a proxy every client shares the proxy's address). `capacity`
 * attempts at once, then one per `refillMs`.
 */
export interface BucketPolicy {
  capacity: number;
  refillMs: number;
}

/** Failed sign-ins per address: 10 at once, then one a minute (password spraying). */
export const DEFAULT_FAILURE_BUCKET: BucketPolicy = { capacity: 10, refillMs: 60_000 };
/** OpenID sign-in starts per address: each stores a flow document until it is used or expires. */
export const DEFAULT_OIDC_START_BUCKET: BucketPolicy = { capacity: 30, refillMs: 10_000 };

const MAX_TRACKED = 10_000;

export class AddressThrottle {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(private readonly policy: BucketPolicy) {}

  /**
   * Takes one attempt for `address` and returns 0, or returns the milliseconds until it may
   * try again. Taken before the attempt is judged, so parallel requests cannot overdraw.
   */
  take(address: string, nowMs: number): number {
    const tokens = this.tokens(address, nowMs);
    if (tokens < 1) return Math.ceil((1 - tokens) * this.policy.refillMs);
    this.set(address, tokens - 1, nowMs);
    return 0;
  }

  /** Gives an attempt back (it succeeded: only failures should cost). */
  refund(address: string, nowMs: number): void {
    this.set(address, Math.min(this.policy.capacity, this.tokens(address, nowMs) + 1), nowMs);
  }

  private set(address: string, tokens: number, nowMs: number): void {
    this.buckets.delete(address);
    if (tokens >= this.policy.capacity) return;
    // Map order is insertion order: when full, forget the address that was quiet longest.
    if (this.buckets.size >= MAX_TRACKED) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    this.buckets.set(address, { tokens, atMs: nowMs });
  }

  private tokens(address: string, nowMs: number): number {
    const b = this.buckets.get(address);
    if (!b) return this.policy.capacity;
    const refilled = Math.max(0, nowMs - b.atMs) / this.policy.refillMs;
    return Math.min(this.policy.capacity, b.tokens + refilled);
  }
}
