import { CADENCES } from '../../review/cadence.js';
import { MAX_OCCURRENCE_PAGE } from '../../review/review-service.js';
import { ACCESS_DECISIONS, DECISIONS, REVIEW_KINDS } from '../../review/review-types.js';
import { MAX_NOTE } from '../../review/review-work.js';
import {
  errorResponses,
  type JsonSchema,
  jsonResponse,
  NO_QUERY,
  object,
  queryChoice,
  queryInteger,
  querystring,
  queryText,
  queryTimestamp,
} from '../http/schemas.js';

const text = (description: string, extra: JsonSchema = {}) => ({
  type: 'string',
  description,
  ...extra,
});
const time = { type: 'string', format: 'date-time' };
const nullableText = { type: ['string', 'null'] };
const strings = { type: 'array', items: { type: 'string' } };
const idParams = object(
  { id: text('Review id (a ULID) or, for definitions, the name', { maxLength: 128 }) },
  ['id'],
);

const filter = object({
  action: text('Only this action', { maxLength: 256 }),
  action_prefix: text('Only actions starting with this', { maxLength: 256 }),
  actor: text('Only this actor.id', { maxLength: 256 }),
  outcome: { enum: ['success', 'failure', 'denied', 'unknown'] },
  target_type: text('Only this target.type', { maxLength: 256 }),
  role: text('Access reviews: only principals holding this role', { maxLength: 32 }),
});

const definitionBody = object(
  {
    name: text('Unique name: lower-case letters, digits, ".", "_", "-"', { maxLength: 128 }),
    kind: { enum: [...REVIEW_KINDS] },
    cadence: { enum: [...CADENCES] },
    time_zone: text('IANA time zone (default UTC)', { maxLength: 64 }),
    sources: {
      ...strings,
      maxItems: 100,
      description: 'Log reviews: source names or patterns (billing-*, *)',
    },
    filter,
    reviewers: {
      ...strings,
      minItems: 1,
      maxItems: 100,
      description: 'Account ids, or one "role:<role>"',
    },
    due_days: { type: 'integer', minimum: 1, maximum: 366 },
    countersign: { type: 'boolean' },
  },
  ['name', 'kind', 'cadence', 'reviewers', 'due_days'],
);

const definition = object(
  {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { enum: [...REVIEW_KINDS] },
    cadence: { enum: [...CADENCES] },
    time_zone: { type: 'string' },
    sources: strings,
    filter: { type: 'object' },
    reviewers: strings,
    due_days: { type: 'integer' },
    countersign: { type: 'boolean' },
    version: { type: 'integer' },
    created_at: time,
    created_by: { type: 'string' },
    updated_at: time,
    updated_by: { type: 'string' },
  },
  [
    'id',
    'name',
    'kind',
    'cadence',
    'time_zone',
    'sources',
    'filter',
    'reviewers',
    'due_days',
    'countersign',
    'version',
  ],
);

const note = object(
  {
    id: { type: 'string' },
    kind: { enum: ['observation', 'decision', 'correction'] },
    item: { type: 'string' },
    note: { type: 'string' },
    decision: nullableText,
    roles: { type: ['array', 'null'], items: { type: 'string' } },
    alert_id: nullableText,
    approval_id: nullableText,
    event_id: nullableText,
    by: { type: 'string' },
    at: time,
  },
  ['id', 'kind', 'item', 'note', 'by', 'at'],
);

const occurrenceProperties = {
  id: { type: 'string' },
  definition_id: { type: 'string' },
  name: { type: 'string' },
  kind: { enum: [...REVIEW_KINDS] },
  cadence: { enum: [...CADENCES] },
  time_zone: { type: 'string' },
  sources: strings,
  reviewers: strings,
  definition_version: { type: 'integer' },
  period_start: time,
  period_end: time,
  due_at: time,
  status: { enum: ['open', 'in_progress', 'awaiting_countersign', 'signed_off'] },
  overdue: { type: 'boolean', description: 'Not signed off and past due_at' },
  late: { type: 'boolean', description: 'Signed off after due_at' },
  pin: {
    type: ['object', 'null'],
    description: 'What the review is pinned to (null until started)',
    additionalProperties: false,
    properties: {
      started_at: time,
      started_by: { type: 'string' },
      tree_size: { type: 'integer' },
      root_hash: { type: 'string' },
      checkpoint: { type: 'string', description: 'The signed checkpoint of tree_size' },
      items_sha256: nullableText,
      item_count: { type: 'integer' },
      snapshot_sha256: nullableText,
    },
  },
  sign_off: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: {
      at: time,
      by: { type: 'string' },
      event_id: { type: 'string', description: 'The review.sign_off event' },
      decision: { enum: [...DECISIONS] },
      notes: { type: 'string' },
    },
  },
  countersign_required: { type: 'boolean' },
  countersign: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { at: time, by: { type: 'string' } },
  },
  overdue_alert_id: nullableText,
};
const occurrenceRequired = [
  'id',
  'definition_id',
  'name',
  'kind',
  'period_start',
  'period_end',
  'due_at',
  'status',
  'overdue',
  'late',
];
const occurrence = object(occurrenceProperties, occurrenceRequired);
const occurrenceWithNotes = object(
  {
    ...occurrenceProperties,
    notes: { type: 'array', items: note },
    snapshot: { type: ['object', 'null'], description: 'Access reviews: the pinned snapshot' },
  },
  [...occurrenceRequired, 'notes'],
);

const one = (description: string, schema: JsonSchema, statuses: number[]) => ({
  200: jsonResponse(description, schema),
  ...errorResponses(...statuses),
});

export const listDefinitionsSchema = {
  summary: 'Review definitions the caller sees (reviews.read)',
  querystring: NO_QUERY,
  response: one(
    'Definitions',
    object({ reviews: { type: 'array', items: definition } }, ['reviews']),
    [400, 401, 403],
  ),
};

export const readDefinitionSchema = {
  summary: 'One review definition, by id or name (reviews.read)',
  params: idParams,
  querystring: NO_QUERY,
  response: one('The definition', definition, [400, 401, 403, 404]),
};

export const createDefinitionSchema = {
  summary: 'Define a review (reviews.manage; logged as review_definition.create)',
  querystring: NO_QUERY,
  body: definitionBody,
  response: one('The definition', definition, [400, 401, 403, 409]),
};

export const updateDefinitionSchema = {
  summary: 'Replace a review definition (reviews.manage; logged as review_definition.update)',
  description:
    'Applies to periods generated from now on; past occurrences keep the definition they were made from. The kind cannot change.',
  params: idParams,
  querystring: NO_QUERY,
  body: definitionBody,
  response: one('The definition', definition, [400, 401, 403, 404, 409]),
};

export const listOccurrencesSchema = {
  summary: 'Review occurrences, newest period first (reviews.read; logged as review.list)',
  querystring: querystring({
    definition: queryText('Only occurrences of this definition (id or name)', { maxLength: 128 }),
    status: queryChoice('Only occurrences in this state', [
      'open',
      'in_progress',
      'awaiting_countersign',
      'signed_off',
    ]),
    from: queryTimestamp('Only periods starting at or after (RFC 3339)'),
    to: queryTimestamp('Only periods starting before (RFC 3339)'),
    limit: queryInteger('At most this many (default 100)', {
      minimum: 1,
      maximum: MAX_OCCURRENCE_PAGE,
    }),
  }),
  response: one(
    'Occurrences',
    object({ occurrences: { type: 'array', items: occurrence } }, ['occurrences']),
    [400, 401, 403, 404],
  ),
};

export const readOccurrenceSchema = {
  summary:
    'One occurrence with its observations, decisions and corrections (reviews.read; logged as review.read)',
  params: idParams,
  querystring: NO_QUERY,
  response: one('The occurrence', occurrenceWithNotes, [400, 401, 403, 404]),
};

export const occurrenceItemsSchema = {
  summary:
    'A started log review’s events, with the alerts raised on them (reviews.read; logged as review.items)',
  params: idParams,
  querystring: querystring({
    offset: queryInteger('Skip this many items (default 0)', { minimum: 0, maximum: 100_000 }),
    limit: queryInteger('At most this many (default 100)', { minimum: 1, maximum: 500 }),
  }),
  response: one(
    'Items in ascending seq order',
    object(
      {
        total: { type: 'integer' },
        offset: { type: 'integer' },
        items: {
          type: 'array',
          items: object(
            {
              seq: { type: 'integer' },
              id: { type: 'string' },
              leaf_hash: { type: 'string' },
              record: { type: 'object' },
              alerts: {
                type: 'array',
                items: object({
                  id: { type: 'string' },
                  title: { type: 'string' },
                  state: { type: 'string' },
                  severity: { type: 'string' },
                  rule: { type: 'string' },
                }),
              },
            },
            ['seq', 'id', 'leaf_hash', 'record', 'alerts'],
          ),
        },
      },
      ['total', 'offset', 'items'],
    ),
    [400, 401, 403, 404, 409],
  ),
};

const stepResponse = one('The occurrence after the step', occurrence, [400, 401, 403, 404, 409]);
const noteText = text('Why', { minLength: 1, maxLength: MAX_NOTE });

export const startOccurrenceSchema = {
  summary:
    'Start a review: pin it to the log’s current checkpoint (reviews.sign_off; logged as review.start)',
  params: idParams,
  querystring: NO_QUERY,
  response: stepResponse,
};

export const observeSchema = {
  summary:
    'Note an observation on an item; optionally open an alert from it (reviews.sign_off; logged as review.observe)',
  params: idParams,
  querystring: NO_QUERY,
  body: object(
    {
      item: text('"seq:<n>", "principal:<id>", "token:<id>" or "review"', { maxLength: 200 }),
      note: noteText,
      open_alert: {
        type: 'boolean',
        description: 'Raise an alert (rule review.finding) citing the item',
      },
    },
    ['item', 'note'],
  ),
  response: {
    200: jsonResponse('The observation', note),
    ...errorResponses(400, 401, 403, 404, 409),
  },
};

export const decideSchema = {
  summary:
    'Decide keep / revoke / change on a principal in an access review (reviews.sign_off; revoke and change also principals.manage; logged as review.decide)',
  params: idParams,
  querystring: NO_QUERY,
  body: object(
    {
      item: text('"principal:<id>"', { maxLength: 200 }),
      decision: { enum: [...ACCESS_DECISIONS] },
      roles: {
        type: 'array',
        maxItems: 10,
        description: 'change: the roles to hold from now (as for PUT /principals/:id/roles)',
      },
      note: noteText,
    },
    ['item', 'decision', 'note'],
  ),
  response: { 200: jsonResponse('The decision', note), ...errorResponses(400, 401, 403, 404, 409) },
};

export const signOffSchema = {
  summary: 'Sign a started review off (reviews.sign_off; logged as review.sign_off)',
  description:
    'Refused (403 own_actions_in_review) when the reviewed items hold the caller’s own actions or grants.',
  params: idParams,
  querystring: NO_QUERY,
  body: object(
    {
      decision: { enum: [...DECISIONS] },
      notes: text('What was found and done', { maxLength: MAX_NOTE }),
    },
    ['decision'],
  ),
  response: stepResponse,
};

export const countersignSchema = {
  summary:
    'Countersign a signed-off review, as a different person (reviews.sign_off; logged as review.countersign)',
  params: idParams,
  querystring: NO_QUERY,
  body: object({ notes: text('Remarks', { maxLength: MAX_NOTE }) }),
  response: stepResponse,
};

export const correctSchema = {
  summary:
    'Correct a signed-off review with a new event referring to its sign-off (reviews.sign_off; logged as review.correct)',
  params: idParams,
  querystring: NO_QUERY,
  body: object({ decision: { enum: [...DECISIONS] }, notes: noteText }, ['decision', 'notes']),
  response: {
    200: jsonResponse('The correction', note),
    ...errorResponses(400, 401, 403, 404, 409),
  },
};
