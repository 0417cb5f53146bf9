import { randomBytes } from 'node:crypto';
import type { IngestKeyRow, Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { hashSecret, newSecret, secretMatches } from './secrets.js';

const PREFIX = 'evk_';
const ID_LENGTH = 16;
/** A source names a system: letters, digits and . _ - (it lands in search filters and rules). */
export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Reserved for the log's own events (the log audits itself). */
export const SELF_SOURCE = 'evident';

export interface CreatedIngestKey {
  /** `evk_<id>_<secret>`: shown once, never stored. */
  key: string;
  row: IngestKeyRow;
}

export async function createIngestKey(
  store: Store,
  clock: Clock,
  source: string,
  label: string | null = null,
): Promise<CreatedIngestKey> {
  if (!SOURCE_PATTERN.test(source)) {
    throw new Error(
      `source "${source}" must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  if (source === SELF_SOURCE)
    throw new Error(`source "${SELF_SOURCE}" is reserved for the log's own events`);
  const id = randomBytes(ID_LENGTH / 2).toString('hex');
  const secret = newSecret();
  const row: IngestKeyRow = {
    id,
    source,
    secretHash: hashSecret(secret),
    label,
    createdAtMs: clock.now(),
    revokedAtMs: null,
  };
  await store.insertIngestKey(row);
  return { key: `${PREFIX}${id}_${secret}`, row };
}

/** The key's row if `token` is a live ingest key, else undefined (never says which part failed). */
export async function checkIngestKey(
  store: Store,
  token: string,
): Promise<IngestKeyRow | undefined> {
  if (!token.startsWith(PREFIX) || token[PREFIX.length + ID_LENGTH] !== '_') return undefined;
  const id = token.slice(PREFIX.length, PREFIX.length + ID_LENGTH);
  const row = await store.ingestKey(id);
  const secret = token.slice(PREFIX.length + ID_LENGTH + 1);
  if (!row || !secretMatches(secret, row.secretHash)) return undefined;
  return row.revokedAtMs === null ? row : undefined;
}

export function isIngestKeyFormat(token: string): boolean {
  return token.startsWith(PREFIX);
}
