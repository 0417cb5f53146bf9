import {
  bool,
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

const period = (what: string): JsonSchema =>
  nullable(
    str(
      `${what}: an ISO 8601 duration in whole days or months (P90D, P12M), measured on received_at`,
      {
        pattern: '^P[1-9][0-9]{0,5}[DM]$',
      },
    ),
  );

const policyFields = {
  source: str('A source name, or * for the default of every source without its own policy', {
    minLength: 1,
    maxLength: 128,
  }),
  min: period('Minimum retention: nothing younger is ever removed (null: none)'),
  max: period('Maximum retention: payloads older are purged (null: kept forever)'),
  archive: bool('Payloads are archived, and the archive confirmed, before they are purged'),
};

const policyJson = object(
  {
    ...policyFields,
    updated_at: time('Last set'),
    updated_by: str('Who set it (the requester, for a shortening a second admin approved)'),
  },
  ['source', 'min', 'max', 'archive', 'updated_at', 'updated_by'],
);

export const getRetentionSchema = {
  summary: 'Retention policies (retention.read)',
  description:
    'One policy per source and a default (`*`); a source without either keeps its events forever. The log’s own events (source `evident`) are never purged.',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'The policies, the default first',
      object({ policies: { type: 'array', items: policyJson } }, ['policies']),
    ),
    ...errorResponses(401, 403),
  },
};

export const putRetentionSchema = {
  summary:
    'Set the retention policy of a source or the default (retention.manage; audited retention.policy.set)',
  description:
    'Replaces the policy of `source` (absent min or max: none). Lengthening applies at once (200). Shortening a minimum or a maximum — including a first maximum, or removing a minimum — is a four-eyes request a different admin approves (202, `approval.change` = `retention_shorten`); the policy applies, with its event, on approval.',
  querystring: NO_QUERY,
  body: object(
    {
      ...policyFields,
      reason: str('Why (kept in the event and the request)', { maxLength: 1000 }),
    },
    ['source'],
  ),
  response: {
    200: jsonResponse(
      'Applied',
      object({ policy: object(policyFields, ['source', 'min', 'max', 'archive']) }, ['policy']),
    ),
    202: jsonResponse(
      'Waiting for a second admin',
      object(
        {
          approval: approvalJsonSchema,
          shortens: { type: 'array', items: { type: 'string' }, description: 'What it shortens' },
        },
        ['approval', 'shortens'],
      ),
    ),
    ...errorResponses(400, 401, 403, 409, 503),
  },
};
