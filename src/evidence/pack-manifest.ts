import { PACK_FORMAT } from './pack-layout.js';

/** One file the manifest vouches for. */
export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
}

export interface ManifestControl {
  id: string;
  title: string;
  evidence: string;
  files: string[];
}

/** A tree size and root, base64 (as in checkpoints). */
export interface TreeHead {
  tree_size: number;
  root_hash: string;
}

/** manifest.json: what the notarisation event's `manifest_sha256` pins. */
export interface PackManifest {
  format: typeof PACK_FORMAT;
  origin: string;
  created_at: string;
  /** Events whose server time (received_at) is in [from, to). */
  period: { from: string; to: string; basis: 'received_at'; first_seq: number; end_seq: number };
  /** The tree every report was computed from; a prefix of the checkpoint the pack is cut at. */
  reports_as_of: TreeHead;
  /** The auditor's earlier checkpoint (--since), when given. */
  since: TreeHead | null;
  files: ManifestFile[];
  controls: ManifestControl[];
}

/** A file name the pack may hold: flat, so a folder picked in a browser maps one to one. */
export const PACK_FILE_NAME = /^[a-z0-9][a-z0-9.-]{0,63}$/;

/** Parses manifest.json strictly; throws an Error saying what is wrong. */
export function parseManifest(text: string): PackManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('is not JSON');
  }
  const m = value as Partial<PackManifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== PACK_FORMAT)
    throw new Error(`is not a ${PACK_FORMAT} manifest`);
  if (typeof m.origin !== 'string') throw new Error('has no origin');
  if (!isTreeHead(m.reports_as_of)) throw new Error('has no reports_as_of tree head');
  if (m.since !== null && !isTreeHead(m.since)) throw new Error('has a malformed since');
  const p = m.period;
  if (
    !p ||
    typeof p.from !== 'string' ||
    typeof p.to !== 'string' ||
    !isSize(p.first_seq) ||
    !isSize(p.end_seq)
  )
    throw new Error('has a malformed period');
  if (!Array.isArray(m.files) || !m.files.every(isManifestFile))
    throw new Error('has a malformed file list');
  const names = new Set(m.files.map((f) => f.name));
  if (names.size !== m.files.length) throw new Error('lists a file twice');
  if (!Array.isArray(m.controls) || !m.controls.every(isControl))
    throw new Error('has a malformed control list');
  return m as PackManifest;
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isTreeHead(v: unknown): v is TreeHead {
  const h = v as Partial<TreeHead> | null;
  return (
    h !== null && typeof h === 'object' && isSize(h.tree_size) && typeof h.root_hash === 'string'
  );
}

function isManifestFile(v: unknown): v is ManifestFile {
  const f = v as Partial<ManifestFile> | null;
  return (
    f !== null &&
    typeof f === 'object' &&
    typeof f.name === 'string' &&
    PACK_FILE_NAME.test(f.name) &&
    typeof f.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(f.sha256) &&
    isSize(f.bytes)
  );
}

function isControl(v: unknown): v is ManifestControl {
  const c = v as Partial<ManifestControl> | null;
  return (
    c !== null &&
    typeof c === 'object' &&
    typeof c.id === 'string' &&
    typeof c.title === 'string' &&
    typeof c.evidence === 'string' &&
    Array.isArray(c.files) &&
    c.files.every((f) => typeof f === 'string')
  );
}
