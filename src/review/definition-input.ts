import { parseSourcePattern } from '../access/authorization/source-scope.js';
import { ROLES } from '../access/principal.js';
import { AppError } from '../errors.js';
import { CADENCES, type Cadence } from './cadence.js';
import {
  REVIEW_KINDS,
  type ReviewFilter,
  type ReviewKind,
  type ReviewSpec,
} from './review-types.js';
import { isTimeZone } from './zoned-time.js';

/** What the API and CLI send (snake_case, as in docs/reviews.md); the schema checked types. */
export interface DefinitionBody {
  name: string;
  kind: string;
  cadence: string;
  time_zone?: string;
  sources?: string[];
  filter?: ReviewFilter;
  reviewers: string[];
  due_days: number;
  countersign?: boolean;
}

export const REVIEW_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const FILTER_KEYS = ['action', 'action_prefix', 'actor', 'outcome', 'target_type'] as const;

/** Checks what a schema cannot: names, zones, patterns, reviewers, and kind-specific rules. */
export function parseDefinition(body: DefinitionBody): ReviewSpec {
  if (!REVIEW_NAME.test(body.name)) {
    throw bad(
      'name',
      `review name "${body.name.slice(0, 140)}" must be 1–128 lower-case letters, digits, '.', '_' or '-'`,
    );
  }
  if (!(REVIEW_KINDS as readonly string[]).includes(body.kind)) {
    throw bad('kind', `kind must be one of ${REVIEW_KINDS.join(', ')}`);
  }
  const kind = body.kind as ReviewKind;
  if (!(CADENCES as readonly string[]).includes(body.cadence)) {
    throw bad('cadence', `cadence must be one of ${CADENCES.join(', ')}`);
  }
  const timeZone = body.time_zone ?? 'UTC';
  if (!isTimeZone(timeZone)) {
    throw bad(
      'time_zone',
      `unknown time zone "${timeZone}"; use an IANA name such as Europe/Berlin or UTC`,
    );
  }
  let sources: string[];
  const filter: ReviewFilter = {};
  if (kind === 'access') {
    if (body.sources !== undefined) {
      throw bad('sources', 'an access review covers principals, not sources: leave out sources');
    }
    const { role, ...rest } = body.filter ?? {};
    if (Object.keys(rest).length > 0) {
      throw bad('filter', 'an access review filters by role only: {"role": "admin"}');
    }
    if (role !== undefined) {
      if (!(ROLES as readonly string[]).includes(role)) {
        throw bad('filter.role', `role must be one of ${ROLES.join(', ')}`);
      }
      filter.role = role;
    }
    sources = ['*'];
  } else {
    if (body.sources === undefined || body.sources.length === 0) {
      throw bad(
        'sources',
        'a log review needs its sources: names or patterns like "billing-*", or "*" for every source',
      );
    }
    sources = [
      ...new Set(body.sources.map((p, i) => parseSourcePattern(p, `sources[${i}]`))),
    ].sort();
    for (const key of FILTER_KEYS) {
      const value = body.filter?.[key];
      if (value !== undefined) filter[key] = value;
    }
  }
  const roles = body.reviewers.filter((r) => r.startsWith('role:'));
  if (body.reviewers.length === 0) {
    throw bad('reviewers', 'name the reviewers: account ids, or one role like "role:reviewer"');
  }
  if (roles.length > 0) {
    const role = roles[0]!.slice('role:'.length);
    if (body.reviewers.length > 1 || !(ROLES as readonly string[]).includes(role)) {
      throw bad(
        'reviewers',
        `reviewers is either account ids or one role (${ROLES.map((r) => `"role:${r}"`).join(', ')})`,
      );
    }
  } else {
    const wrong = body.reviewers.find((r) => !ACCOUNT_ID.test(r));
    if (wrong !== undefined)
      throw bad('reviewers', `"${wrong.slice(0, 140)}" is not an account id`);
  }
  if (!Number.isSafeInteger(body.due_days) || body.due_days < 1 || body.due_days > 366) {
    throw bad('due_days', 'due_days must be a whole number of days from 1 to 366');
  }
  return {
    name: body.name,
    kind,
    cadence: body.cadence as Cadence,
    timeZone,
    sources,
    filter,
    reviewers: [...new Set(body.reviewers)],
    dueDays: body.due_days,
    countersign: body.countersign ?? false,
  };
}

function bad(path: string, message: string): AppError {
  return new AppError('invalid_field', message, { path });
}
