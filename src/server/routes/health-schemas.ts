import { IGNORED_QUERY, int, jsonResponse, object, ref } from '../http/schemas.js';

export const healthSchema = {
  summary: 'Liveness, tree size and whether the host clock is synchronised',
  querystring: IGNORED_QUERY,
  response: {
    200: jsonResponse(
      'OK',
      object(
        {
          status: { const: 'ok' },
          tree_size: int('Entries'),
          clock: ref('ClockSync'),
          four_eyes: object(
            { reader_grants: { type: 'string', enum: ['on', 'off'] } },
            ['reader_grants'],
            {
              description:
                'Whether reading roles for principals an admin controls wait for a second admin',
            },
          ),
        },
        ['status', 'tree_size', 'clock', 'four_eyes'],
      ),
    ),
    503: jsonResponse(
      'Store unavailable',
      object({ status: { const: 'unavailable' }, clock: ref('ClockSync') }, ['status', 'clock']),
    ),
  },
};
