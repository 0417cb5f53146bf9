import type { AlertSeverity } from '../types.js';
import type { Weekday } from './local-time.js';
import type { RuleProblem } from './problems.js';

/**
 * A rule file after validation: plain data, every duration in milliseconds, every field
 * path checked against the record schema. `compile-rules.ts` turns it into predicates.
 * docs/rules.md describes the language.
 */

/** Where something was written (file, line, column, path), for problems found later. */
export type Loc = Omit<RuleProblem, 'message'>;

export type Scalar = string | number | boolean;

/** Tests on one field; every test present must hold. */
export interface FieldTest {
  equals?: Scalar;
  in?: Scalar[];
  prefix?: string[];
  suffix?: string[];
  regex?: string;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  exists?: boolean;
}

/** Working time: local days and hours in a zone, minus holidays. */
export interface CalendarSpec {
  time_zone: string;
  days: Weekday[];
  /** Minutes since local midnight; `to` may be 1440 (24:00). */
  from_minute: number;
  to_minute: number;
  /** Local dates `YYYY-MM-DD`. */
  holidays: string[];
}

export interface TimeOfDaySpec {
  time_zone: string;
  from_minute: number;
  to_minute: number;
  days?: Weekday[];
}

/** Every condition present must hold (`any`: at least one branch; `not`: the branch fails). */
export interface MatchSpec {
  fields: { path: string; test: FieldTest }[];
  any?: MatchSpec[];
  not?: MatchSpec;
  time_of_day?: TimeOfDaySpec;
  /** A calendar name (resolved across layers when the rule set is built) or one inline. */
  off_hours?: { calendar: string; loc: Loc } | CalendarSpec;
}

export interface ThresholdSpec {
  count: number;
  /** Count distinct values of this field instead of entries. */
  distinct?: string;
  window_ms: number;
  group_by: string[];
}

export interface SequenceStepSpec {
  match: MatchSpec;
  /** This step's fields that must equal the sequence's group (same length, same order). */
  group_by: string[];
  /** How many matching entries make this step (first step only). */
  count: number;
}

export interface SequenceSpec {
  window_ms: number;
  group_by: string[];
  steps: SequenceStepSpec[];
}

export interface NewValueSpec {
  field: string;
  /** Compare IPv4 /24 and IPv6 /64 networks instead of exact values. */
  network: boolean;
  group_by: string[];
  learning_ms: number;
  max_values: number;
}

export interface SuppressSpec {
  window_ms: number;
  /** Absent: the rule's own grouping. */
  group_by?: string[];
}

export type RuleKind = 'match' | 'threshold' | 'sequence' | 'new_value';

export interface RuleSpec {
  id: string;
  title: string;
  description?: string;
  severity: AlertSeverity;
  enabled: boolean;
  kind: RuleKind;
  match?: MatchSpec;
  threshold?: ThresholdSpec;
  sequence?: SequenceSpec;
  new_value?: NewValueSpec;
  suppress?: SuppressSpec;
  /** The rule as written (for GET /api/v1/rules and `evident rules list`). */
  definition: Record<string, unknown>;
  loc: Loc;
}

/** `{ id, enabled }` alone: switches a rule of an earlier layer (e.g. the pack) on or off. */
export interface RuleToggle {
  id: string;
  enabled: boolean;
  loc: Loc;
}

export interface RuleFile {
  file: string;
  /** Packs switched on or off by this file (`packs: { iso27001: false }`). */
  packs: Record<string, { enabled: boolean; loc: Loc }>;
  calendars: Record<string, { spec: CalendarSpec; loc: Loc }>;
  rules: RuleSpec[];
  toggles: RuleToggle[];
}
