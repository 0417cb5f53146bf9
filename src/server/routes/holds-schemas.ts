import {
  errorResponses,
  type JsonSchema,
  jsonResponse,
  NO_QUERY,
  nullable,
  object,
  str,
  time,
} from '../http/schemas.js';
import { approvalJsonSchema } from './principals-schemas.js';

const criteria = {
  source: nullable(str('Entries of this source (null: any)', { minLength: 1, maxLength: 128 })),
  actor_id: nullable(str('Entries of this actor id (null: any)', { minLength: 1, maxLength: 512 })),
  target_id: nullable(
    str('Entries with this target id (null: any)', { minLength: 1, maxLength: 512 }),
  ),
  from: nullable(time('Entries received at or after (null: no start)')),
  to: nullable(time('Entries received at or before (null: no end)')),
};

export const holdJsonSchema: JsonSchema = object(
  {
    id: str('The hold'),
    matter: str('The matter the hold is for'),
    reason: str('Why it was placed'),
    ...criteria,
    placed_at: time('Placed'),
    placed_by: str('Who placed it'),
    released_at: nullable(time('Released (on a second person’s approval)')),
    released_by: nullable(str('Who asked for the release')),
  },
  [
    'id',
    'matter',
    'reason',
    'source',
    'actor_id',
    'target_id',
    'from',
    'to',
    'placed_at',
    'placed_by',
    'released_at',
    'released_by',
  ],
);

export const listHoldsSchema = {
  summary: 'Legal holds, released ones too (retention.read)',
  description:
    'An entry matching every criterion a live hold names is never purged, whatever its retention policy.',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'The holds, oldest first',
      object({ holds: { type: 'array', items: holdJsonSchema } }, ['holds']),
    ),
    ...errorResponses(401, 403),
  },
};

export const placeHoldSchema = {
  summary: 'Place a legal hold (retention.manage; audited legal_hold.place)',
  description:
    'Holds the entries matching every criterion given (at least one of source, actor_id, target_id, from, to); it applies at once. Ids are matched as stored: on an already purged entry, as its sha256 digest.',
  querystring: NO_QUERY,
  body: object(
    {
      ...criteria,
      matter: str('The matter (case, investigation) the hold is for', {
        minLength: 1,
        maxLength: 200,
      }),
      reason: str('Why', { minLength: 1, maxLength: 1000 }),
    },
    ['matter', 'reason'],
  ),
  response: {
    201: jsonResponse('Placed', object({ hold: holdJsonSchema }, ['hold'])),
    ...errorResponses(400, 401, 403, 503),
  },
};

export const releaseHoldSchema = {
  summary: 'Ask to release a legal hold (retention.manage; four-eyes)',
  description:
    'Opens a `hold_release` approval request; a different person approves it (POST /api/v1/approvals/{id}/approve), and the hold is released, with its `legal_hold.release` event, then.',
  querystring: NO_QUERY,
  params: object({ id: str('The hold', { maxLength: 64 }) }, ['id']),
  body: nullable(object({ reason: str('Why (shown to the approver)', { maxLength: 1000 }) }, [])),
  response: {
    202: jsonResponse(
      'Waiting for a second person',
      object({ approval: approvalJsonSchema }, ['approval']),
    ),
    ...errorResponses(401, 403, 404, 409, 503),
  },
};
