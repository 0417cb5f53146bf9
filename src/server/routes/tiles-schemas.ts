import { contentResponse, errorResponses, NO_QUERY, object, str } from '../http/schemas.js';

export type TileParams = { '*': string };

export const tileSchema = {
  summary:
    'The tree as C2SP tlog-tiles: hash tiles tile/<L>/<N>[.p/<W>] and entry bundles tile/entries/<N>[.p/<W>] (log.entries; unscoped grants only)',
  description:
    'c2sp.org/tlog-tiles with the prefix /api/v1/log/ (the checkpoint is GET /api/v1/log/checkpoint). A hash tile is up to 256 concatenated 32-byte hashes of complete subtrees of height 8·L (level 0: leaf hashes); an entry bundle is the canonical records of those leaves, each as a big-endian uint16 length and its UTF-8 bytes (gzip-encoded when the request accepts gzip). Tiles never change once the tree holds them, partial ones included: Cache-Control immutable. A tile the tree does not hold yet is a 404. Each read is self-audited (entry bundles as audit_log.export, hash tiles as audit_log.proof).',
  params: object(
    { '*': str('The tile path after /api/v1/log/tile/, e.g. 0/x001/234 or entries/005.p/17') },
    ['*'],
  ),
  querystring: NO_QUERY,
  response: {
    200: contentResponse('The tile or entry bundle', {
      'application/octet-stream': { type: 'string', format: 'binary' },
    }),
    ...errorResponses(400, 401, 403, 404, 503),
  },
};
