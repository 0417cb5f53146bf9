/**
 * The search bar's language: `key:value` terms (a value may be "quoted"), the rest free text.
 * Each key is an API query parameter of GET /api/v1/events. Keys the server does not know
 * yet are still sent: its 400 says so on the page, rather than the term vanishing.
 */
export const TERM_PARAMS: Record<string, string> = {
  actor: 'actor',
  actor_name: 'actor_name',
  action: 'action',
  target: 'target',
  target_type: 'target_type',
  outcome: 'outcome',
  source: 'source',
  ip: 'ip',
  // Received time (the server's clock) and event time (the source's clock).
  from: 'from',
  to: 'to',
  time_from: 'time_from',
  time_to: 'time_to',
};

/** Free text searches people's names: `actor_name` (the same parameter as the term). */
export const FREE_TEXT_PARAM = 'actor_name';

export type ParsedQuery =
  | { ok: true; params: Record<string, string> }
  | { ok: false; message: string };

const TERM = /\s*(?:([a-z_]+):(?:"([^"]*)"|(\S*))|"([^"]*)"|(\S+))/y;

export function parseQuery(text: string): ParsedQuery {
  const params: Record<string, string> = {};
  const free: string[] = [];
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const m = TERM.exec(text);
    if (m === null) break;
    const [, key, quoted, bare, freeQuoted, freeBare] = m;
    if (key === undefined) {
      const word = freeQuoted ?? freeBare ?? '';
      if (word !== '') free.push(word);
      continue;
    }
    const param = TERM_PARAMS[key];
    if (param === undefined) {
      return {
        ok: false,
        message: `"${key}:" is not a search term; use ${Object.keys(TERM_PARAMS)
          .map((k) => `${k}:`)
          .join(' ')}`,
      };
    }
    const value = quoted ?? bare ?? '';
    if (value === '') return { ok: false, message: `"${key}:" needs a value, e.g. ${key}:value` };
    if (params[param] !== undefined) {
      return { ok: false, message: `"${key}:" is given twice; keep one` };
    }
    params[param] = value;
  }
  if (free.length > 0) {
    if (params[FREE_TEXT_PARAM] !== undefined) {
      return {
        ok: false,
        message: `free text and "${FREE_TEXT_PARAM}:" both search names; keep one`,
      };
    }
    params[FREE_TEXT_PARAM] = free.join(' ');
  }
  return { ok: true, params };
}

/** Date presets: a received-time lower bound relative to now. */
export const DATE_PRESETS = [
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

export function presetFrom(id: string | undefined, nowMs: number): string | undefined {
  const preset = DATE_PRESETS.find((p) => p.id === id);
  return preset === undefined ? undefined : new Date(nowMs - preset.ms).toISOString();
}
