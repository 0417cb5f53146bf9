import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors.js';
import { SELF_SOURCE } from '../../log/self-source.js';
import type { IngestKeyRow, Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import { hashSecret, newSecret, secretMatches } from './secrets.js';

const PREFIX = 'evk_';
const ID_LENGTH = 16;
/** A source names a system: letters, digits and . _ - (it lands in search filters and rules). */
export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Whether `name` could pass for the log's own source: `evident` in any case and every name
 * that starts with it (`Evident`, `EVIDENT`, `evident.`, `evident-audit`). Sources are
 * compared as written elsewhere, so only a prefix rule keeps look-alikes out of search
 * results and rules that match the log's own events.
 */
export function isReservedSource(name: string): boolean {
  return name.toLowerCase().startsWith(SELF_SOURCE);
}

/** The 400 for a source name no key, declaration or event may use (null when it is fine). */
export function sourceNameRefusal(name: string, path: string): AppError | undefined {
  if (!SOURCE_PATTERN.test(name)) {
    return new AppError(
      'invalid_source_name',
      `source "${name.slice(0, 140)}" must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { path },
    );
  }
  if (isReservedSource(name)) {
    return new AppError(
      'source_reserved',
      `source "${name}" is reserved: names starting with "${SELF_SOURCE}" (in any case) belong to the log's own events`,
      { path },
    );
  }
  return undefined;
}

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
  const refusal = sourceNameRefusal(source, 'source');
  if (refusal) throw refusal;
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
