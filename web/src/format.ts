/** Display helpers. Everything here returns plain strings that pages render as text. */

export function shortTime(iso: unknown): string {
  if (typeof iso !== 'string') return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** A field of a record as text; objects and non-strings are shown as JSON, never as markup. */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return revealInvisible(typeof value === 'string' ? value : JSON.stringify(value));
}

// Bidirectional overrides and isolates, zero-width and other invisible format characters:
// an attacker-written field could use them to make one value read as another.
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Shows invisible and direction-changing characters as visible `⟨U+202E⟩` marks. */
export function revealInvisible(value: string): string {
  return value.replace(
    INVISIBLE,
    (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`,
  );
}

/** Long values are cut for table cells (the drawer shows them whole). */
export function clip(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${(m / 60).toFixed(1)} h`;
}
