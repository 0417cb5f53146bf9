import { FACET_BUCKETS, FACET_SCAN_LIMIT, type SearchFilters } from '../../events/event-search.js';
import {
  errorResponses,
  int,
  jsonResponse,
  object,
  queryChoice,
  queryInteger,
  querystring,
  str,
} from '../http/schemas.js';
import { SEARCH_FILTERS } from './events-schemas.js';

export const FACETS_DEFAULT_TOP = 10;
export const FACETS_MAX_TOP = 50;

export type FacetsQuery = SearchFilters & { top?: number; bucket?: keyof typeof FACET_BUCKETS };

const valueCounts = {
  type: 'array',
  items: object({ value: str('The value'), count: int('Matches with it') }, ['value', 'count']),
};

export const facetsSchema = {
  summary:
    'Counts per source, action, outcome and actor over a search (events.read; a grant limited to sources counts only those; audited audit_log.search)',
  description: `The same filters as GET /api/v1/events. Counts the newest ${FACET_SCAN_LIMIT} matches at most (in the search's order): complete is false when more exist. Each facet keeps its top values (ties by value). bucket adds activity per hour or day of the event time.`,
  querystring: querystring({
    ...SEARCH_FILTERS,
    top: queryInteger(`values kept per facet (default ${FACETS_DEFAULT_TOP})`, {
      minimum: 1,
      maximum: FACETS_MAX_TOP,
    }),
    bucket: queryChoice('activity buckets by event time', Object.keys(FACET_BUCKETS)),
  }),
  response: {
    200: jsonResponse(
      'The counts',
      object(
        {
          scanned: int('Matches counted'),
          complete: {
            type: 'boolean',
            description: `false: more than ${FACET_SCAN_LIMIT} match; the counts are of the newest`,
          },
          facets: object(
            {
              source: valueCounts,
              action: valueCounts,
              outcome: valueCounts,
              actor: valueCounts,
            },
            ['source', 'action', 'outcome', 'actor'],
          ),
          buckets: {
            type: 'array',
            items: object(
              { start: str('Bucket start (RFC 3339, UTC)'), count: int('Matches in it') },
              ['start', 'count'],
            ),
          },
          order: { type: 'string' },
          never_matches: str('Present when no entry can match these filters, saying why'),
        },
        ['scanned', 'complete', 'facets', 'buckets', 'order'],
      ),
    ),
    ...errorResponses(400, 401, 403),
  },
};
