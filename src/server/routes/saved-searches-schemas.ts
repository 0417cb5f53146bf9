import { MAX_SAVED_SEARCHES } from '../../events/saved-search-service.js';
import {
  errorResponses,
  handlerParsedBody,
  jsonResponse,
  NO_QUERY,
  object,
  str,
} from '../http/schemas.js';

export const SAVED_SEARCH_FIELDS = ['name', 'query', 'range'] as const;
export const SAVED_SEARCH_NAME_MAX = 100;
export const SAVED_SEARCH_QUERY_MAX = 2000;
export const SAVED_SEARCH_RANGE_MAX = 16;

const savedSearch = object(
  {
    id: str('Its id (a ULID)'),
    name: str('The name its owner gave it'),
    query: str('The query bar text (key:value terms and free text)'),
    range: str('A date preset (1h, 24h, 7d, 30d) or empty for any time'),
    created_at: str('RFC 3339'),
    updated_at: str('RFC 3339'),
  },
  ['id', 'name', 'query', 'range', 'created_at', 'updated_at'],
);

export const listSavedSearchesSchema = {
  summary: 'Your saved searches, by name (events.read; each person sees only their own)',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'Your saved searches',
      object({ saved_searches: { type: 'array', items: savedSearch } }, ['saved_searches']),
    ),
    ...errorResponses(401, 403),
  },
};

export const saveSearchSchema = {
  summary: 'Save a search under a name (events.read; audited saved_search.create or .update)',
  description: `Saving a name you already use points it at the new query (200); a new name answers 201. At most ${MAX_SAVED_SEARCHES} per person (409 saved_searches_full).`,
  querystring: NO_QUERY,
  body: handlerParsedBody(
    object(
      {
        name: str('A name to pick it by', { maxLength: SAVED_SEARCH_NAME_MAX }),
        query: str('The query bar text', { maxLength: SAVED_SEARCH_QUERY_MAX }),
        range: str('A date preset id, or empty (default) for any time', {
          maxLength: SAVED_SEARCH_RANGE_MAX,
        }),
      },
      ['name', 'query'],
    ),
  ),
  response: {
    200: jsonResponse('The saved search, changed', savedSearch),
    201: jsonResponse('The saved search, new', savedSearch),
    ...errorResponses(400, 401, 403, 409),
  },
};

export const deleteSavedSearchSchema = {
  summary: 'Delete one of your saved searches (events.read; audited saved_search.delete)',
  description: "Another person's saved search answers 404, like a missing one.",
  params: object({ id: str('The saved search id', { maxLength: 64 }) }, ['id']),
  querystring: NO_QUERY,
  response: {
    204: { description: 'Deleted', type: 'null' },
    ...errorResponses(400, 401, 403, 404),
  },
};
