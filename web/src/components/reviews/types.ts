/** What the reviews pages read from the API (docs/reviews.md). */

export interface Definition {
  id: string;
  name: string;
  kind: 'log' | 'access';
  cadence: string;
  time_zone: string;
  sources: string[];
  filter: Record<string, unknown>;
  reviewers: string[];
  due_days: number;
  countersign: boolean;
  version: number;
}

export type Status = 'open' | 'in_progress' | 'awaiting_countersign' | 'signed_off';

export const STATUSES: { status: Status; label: string }[] = [
  { status: 'open', label: 'Open' },
  { status: 'in_progress', label: 'In progress' },
  { status: 'awaiting_countersign', label: 'Awaiting countersign' },
  { status: 'signed_off', label: 'Signed off' },
];

export interface Occurrence {
  id: string;
  definition_id: string;
  name: string;
  kind: 'log' | 'access';
  sources: string[];
  reviewers: string[];
  period_start: string;
  period_end: string;
  due_at: string;
  status: Status;
  overdue: boolean;
  late: boolean;
  pin?: {
    started_at: string;
    started_by: string;
    tree_size: number;
    root_hash: string;
    items_sha256: string | null;
    item_count: number;
    snapshot_sha256: string | null;
  } | null;
  sign_off?: { at: string; by: string; event_id: string; decision: string; notes: string } | null;
  countersign_required?: boolean;
  countersign?: { at: string; by: string } | null;
}

export interface ReviewNote {
  id: string;
  kind: 'observation' | 'decision' | 'correction';
  item: string;
  note: string;
  decision?: string | null;
  roles?: string[] | null;
  alert_id?: string | null;
  approval_id?: string | null;
  by: string;
  at: string;
}

export interface OccurrenceView extends Occurrence {
  notes: ReviewNote[];
  snapshot: {
    principals?: {
      id: string;
      kind: string;
      name: string;
      disabled: boolean;
      grants: { role: string; sources: string[] | null }[];
    }[];
  } | null;
}

export interface LogItem {
  seq: number;
  id: string;
  record: {
    received_at?: string;
    source?: string;
    actor?: { id?: string; name?: string };
    action?: string;
    target?: { type?: string; id?: string };
    outcome?: string;
  };
  alerts: { id: string; title: string; state: string }[];
}

export const statusLabel = (status: string) =>
  STATUSES.find((s) => s.status === status)?.label ?? status;
