import type { Cadence } from './cadence.js';

export const REVIEW_KINDS = ['log', 'access'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

export const DECISIONS = ['no_findings', 'findings'] as const;
export type Decision = (typeof DECISIONS)[number];

export const ACCESS_DECISIONS = ['keep', 'revoke', 'change'] as const;
export type AccessDecision = (typeof ACCESS_DECISIONS)[number];

export type OccurrenceStatus = 'open' | 'in_progress' | 'awaiting_countersign' | 'signed_off';

/** Which events a log review covers, beside its sources and period (all optional, ANDed). */
export interface ReviewFilter {
  action?: string;
  action_prefix?: string;
  actor?: string;
  outcome?: string;
  target_type?: string;
  /** Access reviews: only principals holding this role (default: every principal). */
  role?: string;
}

/** What a definition says; an occurrence keeps a copy of it as it was when generated. */
export interface ReviewSpec {
  name: string;
  kind: ReviewKind;
  cadence: Cadence;
  timeZone: string;
  /** Source patterns (`billing-*`, `*`); `['*']` for access reviews. */
  sources: string[];
  filter: ReviewFilter;
  /** Account ids, or one `role:<role>`. */
  reviewers: string[];
  dueDays: number;
  countersign: boolean;
}

export interface ReviewDefinition extends ReviewSpec {
  id: string;
  version: number;
  createdAtMs: number;
  createdBy: string;
  updatedAtMs: number;
  updatedBy: string;
}

/** The view an occurrence was pinned to when it started. */
export interface ReviewPin {
  startedAtMs: number;
  startedBy: string;
  treeSize: number;
  rootHash: string;
  /** The signed checkpoint note of that tree size. */
  checkpoint: string;
  /** Log reviews: the item seqs ascending, their hash and the actor ids among them. */
  items: number[] | null;
  itemsSha256: string | null;
  itemCount: number;
  actors: string[];
  /** Access reviews: the snapshot (JSON text, as hashed) and its hash. */
  snapshot: string | null;
  snapshotSha256: string | null;
}

export interface ReviewSignOff {
  atMs: number;
  by: string;
  /** The id of its review.sign_off event. */
  eventId: string;
  decision: Decision;
  notes: string;
}

export interface ReviewOccurrence {
  id: string;
  definitionId: string;
  /** The definition as it was when this occurrence was generated. */
  definition: ReviewSpec & { version: number };
  periodStartMs: number;
  periodEndMs: number;
  dueAtMs: number;
  status: OccurrenceStatus;
  pin: ReviewPin | null;
  signOff: ReviewSignOff | null;
  countersign: { atMs: number; by: string } | null;
  overdueAlertId: string | null;
  createdAtMs: number;
  version: number;
}

/** An observation, an access decision or a correction on an occurrence. */
export interface ReviewNote {
  id: string;
  occurrenceId: string;
  kind: 'observation' | 'decision' | 'correction';
  item: string;
  note: string;
  /** access decisions: keep | revoke | change; corrections: no_findings | findings. */
  decision: string | null;
  roles: string[] | null;
  alertId: string | null;
  approvalId: string | null;
  /** Corrections: the id of their review.correct event. */
  eventId: string | null;
  by: string;
  atMs: number;
}
