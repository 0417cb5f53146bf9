/**
 * The log verifier key this browser trusts, per log origin, pinned on first use
 * (trust-on-first-use, as SSH does): later checks chain from it through the log's published
 * handovers, and a key that does not chain is a warning, never silently re-pinned.
 */
export interface KeyPins {
  get(origin: string): string | undefined;
  set(origin: string, verifierKey: string): void;
  clear(origin: string): void;
}

const PREFIX = 'evident.pinned-log-key:';

export const browserKeyPins: KeyPins = {
  get: (origin) => window.localStorage.getItem(PREFIX + origin) ?? undefined,
  set: (origin, key) => window.localStorage.setItem(PREFIX + origin, key),
  clear: (origin) => window.localStorage.removeItem(PREFIX + origin),
};

export function pinnedKey(pins: KeyPins, origin: string): string | undefined {
  return pins.get(origin);
}
