/** What the retention pages read from the API (docs/retention.md). */

export interface Policy {
  source: string;
  min: string | null;
  max: string | null;
  archive: boolean;
  updated_at: string;
  updated_by: string;
}

export interface Hold {
  id: string;
  matter: string;
  reason: string;
  source: string | null;
  actor_id: string | null;
  target_id: string | null;
  from: string | null;
  to: string | null;
  placed_at: string;
  placed_by: string;
  released_at: string | null;
  released_by: string | null;
}

export interface Approval {
  id: string;
  change: string;
  status: string;
  subject: { id: string; name: string };
  requested_by: { id: string; name: string };
  requested_at: string;
  expires_at: string;
  reason: string | null;
  decided_by: { id: string; name: string } | null;
  decided_at: string | null;
  retention_policy?: { source: string; min: string | null; max: string | null; archive: boolean };
}

/** The four-eyes requests retention opens (shortening a policy, releasing a hold). */
export const RETENTION_CHANGES = ['retention_shorten', 'hold_release'];

/** `*` is the default policy of every source without its own. */
export const sourceLabel = (source: string) => (source === '*' ? 'default (*)' : source);

/** A period as the API writes it (P90D, P12M), or what its absence means. */
export const periodLabel = (period: string | null, none: string) => period ?? none;
