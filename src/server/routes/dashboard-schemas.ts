import { contentResponse, errorResponses, IGNORED_QUERY, object, str } from '../http/schemas.js';
import { ASSET_TYPES } from '../web-assets.js';

export const pageSchema = {
  summary:
    'The web dashboard (index.html; also served at every other non-API path without a file extension, so client routes load the app)',
  // A dashboard link carries the page's own filters (/alerts?state=open): the page reads them.
  querystring: IGNORED_QUERY,
  response: {
    200: contentResponse('The page (Cache-Control: no-cache; its own CSP)', {
      'text/html': { type: 'string' },
    }),
    ...errorResponses(404, 503),
  },
};

export const assetSchema = {
  summary: 'A dashboard asset: content-hashed name, cached for a year (immutable)',
  params: object({ name: str('The hashed file name') }, ['name']),
  querystring: IGNORED_QUERY,
  response: {
    200: contentResponse(
      'The file (gzip when accepted)',
      Object.fromEntries(
        Object.values(ASSET_TYPES).map((type) => [type.split(';')[0]!, { type: 'string' }]),
      ),
    ),
    ...errorResponses(404, 503),
  },
};
