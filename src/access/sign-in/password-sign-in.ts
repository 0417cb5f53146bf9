import { AppError } from '../../errors.js';
import { type AccountDirectory, type AccountRecord, NAME_PATTERN } from '../accounts/accounts.js';
import {
  DEFAULT_SCRYPT,
  dummyPasswordHash,
  type ScryptParams,
  verifyPassword,
} from '../accounts/passwords.js';
import { afterFailure, afterSuccess, type LockPolicy, lockedUntil } from './sign-in-throttle.js';

/** Why a password was refused: recorded in the self-audit event, never told to the caller. */
export type PasswordFailure =
  | 'unknown_account'
  | 'bad_password'
  | 'no_password'
  | 'disabled'
  | 'locked'
  | 'concurrent_attempts';

export type PasswordCheck =
  | { ok: true; account: AccountRecord }
  | { ok: false; reason: PasswordFailure; account: AccountRecord | undefined };

/** Sign-in names are lower-case; what people type is trimmed and lower-cased first. */
export function normaliseSignInName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Checks `password` for the account named `name` and records the outcome on the account
 * (failures towards a lock, a success resets them). Every path runs exactly one scrypt
 * verification, against the dummy hash when there is no real one, so the time taken does
 * not tell whether the account exists, has a password, is disabled or is locked.
 */
export async function checkPassword(
  accounts: AccountDirectory,
  input: { name: string; password: string },
  nowMs: number,
  policy: LockPolicy,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<PasswordCheck> {
  const name = normaliseSignInName(input.name);
  const account = NAME_PATTERN.test(name) ? await accounts.findByName(name) : undefined;
  return checkAccountPassword(accounts, account, input.password, nowMs, policy, params);
}

/** The same check for a known (or missing) account: sign-in and changing one's password. */
export async function checkAccountPassword(
  accounts: AccountDirectory,
  account: AccountRecord | undefined,
  password: string,
  nowMs: number,
  policy: LockPolicy,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<PasswordCheck> {
  const matches = await verifyPassword(
    password,
    account?.passwordHash ?? (await dummyPasswordHash(params)),
  );
  if (!account) return { ok: false, reason: 'unknown_account', account };
  if (account.disabled) return { ok: false, reason: 'disabled', account };
  if (account.passwordHash === null) return { ok: false, reason: 'no_password', account };
  // Judge and count in one compare-and-set, so parallel guesses cannot all slip in under the
  // limit: once earlier attempts have locked the account, later ones are refused even when
  // right. A password changed meanwhile fails the comparison with the hash that was checked.
  const judged: { ok: boolean; current: AccountRecord } = { ok: false, current: account };
  try {
    const updated = await accounts.update(
      account.id,
      (a) => {
        judged.current = a;
        if (lockedUntil(a.signIn, nowMs) !== undefined) throw LOCKED;
        judged.ok = matches && a.passwordHash === account.passwordHash;
        const signIn = judged.ok ? afterSuccess(nowMs) : afterFailure(a.signIn, nowMs, policy);
        return { ...a, signIn };
      },
      nowMs,
    );
    return judged.ok
      ? { ok: true, account: updated }
      : { ok: false, reason: 'bad_password', account: updated };
  } catch (error) {
    if (error === LOCKED) return { ok: false, reason: 'locked', account: judged.current };
    // Many attempts on one account at once kept winning the compare-and-set from this one:
    // refused without being judged or counted (someone is hammering the account).
    if (error instanceof AppError && error.code === 'conflict') {
      return { ok: false, reason: 'concurrent_attempts', account };
    }
    throw error;
  }
}

/** Thrown out of the compare-and-set to leave a locked account's document untouched. */
const LOCKED = Symbol('locked');
