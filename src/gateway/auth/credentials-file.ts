import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { CredentialStore, GatewayCredential } from './credential-store.js';
import { newGatewaySecret } from './new-secret.js';
import { parseVerifier } from './scram.js';

/** The file's shape: one entry per person (creating a new credential replaces the old one). */
interface FileEntry {
  id: string;
  person: string;
  verifier: string;
  created_at: string;
  expires_at: string;
  revoked_at?: string;
}

interface CredentialsFile {
  version: 1;
  credentials: FileEntry[];
}

/** The stored form holds only SCRAM verifiers, never a secret (as pg_authid does). */
export class FileCredentialStore implements CredentialStore {
  private cache: { mtimeMs: number; entries: Map<string, GatewayCredential> } | undefined;

  constructor(private readonly file: string) {}

  find(person: string): GatewayCredential | undefined {
    // Re-read when the file changes, so a revocation reaches running gateways.
    const mtimeMs = existsSync(this.file) ? statSync(this.file).mtimeMs : -1;
    if (this.cache?.mtimeMs !== mtimeMs) this.cache = { mtimeMs, entries: load(this.file) };
    return this.cache.entries.get(person);
  }
}

function load(file: string): Map<string, GatewayCredential> {
  const out = new Map<string, GatewayCredential>();
  for (const e of readEntries(file)) {
    const verifier = parseVerifier(e.verifier);
    if (!verifier)
      throw new Error(
        `${file}: the verifier of credential ${e.id} is not a SCRAM-SHA-256 verifier`,
      );
    out.set(e.person, {
      id: e.id,
      person: e.person,
      verifier,
      expiresAtMs: Date.parse(e.expires_at),
      revoked: e.revoked_at !== undefined,
    });
  }
  return out;
}

function readEntries(file: string): FileEntry[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CredentialsFile>;
  if (parsed.version !== 1 || !Array.isArray(parsed.credentials))
    throw new Error(
      `${file}: not a gateway credentials file (expected {"version":1,"credentials":[…]})`,
    );
  return parsed.credentials;
}

function writeEntries(file: string, credentials: FileEntry[]): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ version: 1, credentials }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export interface CreatedCredential {
  id: string;
  secret: string;
  expiresAt: string;
}

/** Adds (or replaces) the person's credential; the secret is returned once and stored only as a verifier. */
export function createCredential(
  file: string,
  person: string,
  lifetimeMs: number,
  nowMs: number,
  random: (n: number) => Buffer,
): CreatedCredential {
  const entries = readEntries(file).filter((e) => e.person !== person);
  const id = `gwc_${random(9).toString('base64url')}`;
  const { secret, verifier } = newGatewaySecret(random);
  const expiresAt = new Date(nowMs + lifetimeMs).toISOString();
  entries.push({
    id,
    person,
    verifier,
    created_at: new Date(nowMs).toISOString(),
    expires_at: expiresAt,
  });
  writeEntries(file, entries);
  return { id, secret, expiresAt };
}

/** Marks the person's credential revoked; returns false when there is none. */
export function revokeCredential(file: string, person: string, nowMs: number): boolean {
  const entries = readEntries(file);
  const entry = entries.find((e) => e.person === person && e.revoked_at === undefined);
  if (!entry) return false;
  entry.revoked_at = new Date(nowMs).toISOString();
  writeEntries(file, entries);
  return true;
}
