import { errorResponses, jsonResponse, NO_QUERY, object, ref, str } from '../http/schemas.js';

/** At most this long, a source's description. */
export const MAX_DESCRIPTION = 1024;

/** The handler checks the name (invalid_source_name, as before routes had schemas). */
const nameParams = object({ name: str("Source name: 1–128 letters, digits, '.', '_' or '-'") }, [
  'name',
]);

export const listSourcesSchema = {
  summary: 'Expected sources with last event, rate, clock skew and silence (sources.read)',
  description:
    'Scoped grants see only their sources. Sources appear when declared, when an ingest key is made for them, or with their first event.',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'Sources',
      object({ sources: { type: 'array', items: ref('Source') } }, ['sources']),
    ),
    ...errorResponses(400, 401, 403),
  },
};

export const getSourceSchema = {
  summary: 'One source (sources.read; outside a scoped grant: 404, as if absent)',
  params: nameParams,
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The source', ref('Source')),
    ...errorResponses(400, 401, 403, 404),
  },
};

export const declareSourceSchema = {
  summary: 'Declare a source or replace its declaration (sources.manage; audited source.update)',
  description:
    'Omitted fields take their defaults: expected_max_silence the server default, description null. No body: declared with both defaults.',
  params: nameParams,
  querystring: NO_QUERY,
  body: object({
    expected_max_silence: {
      type: ['string', 'null'],
      description:
        'Longest quiet spell before a "source silent" alert: a duration like 15m, 1h30m (1s–366d); null: not monitored',
    },
    description: { type: ['string', 'null'], maxLength: MAX_DESCRIPTION },
  }),
  response: {
    200: jsonResponse('The source as declared', ref('Source')),
    ...errorResponses(400, 401, 403, 409),
  },
};
