import { ENTRIES_PAGE_MAX } from '../../events/log-reader.js';
import {
  contentResponse,
  errorResponses,
  int,
  jsonResponse,
  NO_QUERY,
  object,
  queryInteger,
  querystring,
  ref,
  str,
  time,
} from '../http/schemas.js';

const hashes = { type: 'array', items: { type: 'string' }, description: 'base64 hashes' };

export const logInfoSchema = {
  summary: 'Log identity and head (log.read)',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'Head',
      object(
        {
          origin: str('Log origin (checkpoint first line, key name)'),
          verifier_key: str('<name>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>'),
          tree_size: int('Entries'),
          root_hash: str('base64 root'),
          checkpoint: str('Latest signed checkpoint, with any witness cosignature lines'),
        },
        ['origin', 'verifier_key', 'tree_size', 'root_hash', 'checkpoint'],
      ),
    ),
    ...errorResponses(400, 401, 403, 503),
  },
};

export const checkpointSchema = {
  summary: 'Latest signed checkpoint (log.read)',
  querystring: NO_QUERY,
  response: {
    200: contentResponse(
      'C2SP signed note: the log signature line, then any witness cosignature lines (C2SP tlog-cosignature) collected for it',
      { 'text/plain': { type: 'string' } },
    ),
    ...errorResponses(400, 401, 403, 503),
  },
};

export const logKeysSchema = {
  summary: "The log's signing keys, oldest first, with the tree sizes each signs (public)",
  description:
    "Verifier keys are public material: no token needed. A key signs the checkpoints whose size is in [from_size, until_size]; at a rotation the handover checkpoint (size = the new key's from_size) is signed by both keys and is returned with the new key, so a verifier holding an old key can chain to the current one.",
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'Key history',
      object(
        {
          origin: str('Log origin (checkpoint first line, key name)'),
          current: str('The verifier key that signs new checkpoints'),
          keys: {
            type: 'array',
            items: object(
              {
                verifier_key: str('<origin>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>'),
                key_id: { type: 'string', pattern: '^[0-9a-f]{8}$' },
                from_size: int('First tree size it signs'),
                until_size: {
                  type: ['integer', 'null'],
                  minimum: 0,
                  description: 'Last tree size it signs (its handover); null for the current key',
                },
                from_time: time('When it began signing'),
                until_time: { type: ['string', 'null'], format: 'date-time' },
                handover_checkpoint: {
                  type: ['string', 'null'],
                  description:
                    'The checkpoint of size from_size, signed by this key and the one before (null for the first key)',
                },
              },
              [
                'verifier_key',
                'key_id',
                'from_size',
                'until_size',
                'from_time',
                'until_time',
                'handover_checkpoint',
              ],
            ),
          },
        },
        ['origin', 'current', 'keys'],
      ),
    ),
    ...errorResponses(400, 503),
  },
};

export type EntriesQuery = { start: number; end?: number };

export const entriesSchema = {
  summary:
    'Entries in seq order (log.entries: a grant over every source; audited audit_log.export)',
  querystring: querystring(
    {
      start: queryInteger('first seq'),
      end: queryInteger(`end seq, exclusive (pages hold at most ${ENTRIES_PAGE_MAX})`, {
        minimum: 1,
      }),
    },
    ['start'],
  ),
  response: {
    200: jsonResponse(
      'A page',
      object(
        {
          entries: { type: 'array', items: ref('Entry') },
          next_start: { type: ['integer', 'null'], description: 'Where the next page starts' },
        },
        ['entries', 'next_start'],
      ),
    ),
    ...errorResponses(400, 401, 403, 503),
  },
};

export type InclusionQuery = { seq: number; tree_size?: number };

export const inclusionSchema = {
  summary: 'RFC 9162 inclusion proof (proofs.read; outside a grant limited to sources: 404)',
  querystring: querystring(
    {
      seq: queryInteger('leaf index'),
      tree_size: queryInteger('tree size (default: latest)', { minimum: 1 }),
    },
    ['seq'],
  ),
  response: {
    200: jsonResponse(
      'Proof',
      object(
        {
          seq: int('Leaf index'),
          tree_size: int('Tree size'),
          leaf_hash: str('base64'),
          hashes,
        },
        ['seq', 'tree_size', 'leaf_hash', 'hashes'],
      ),
    ),
    ...errorResponses(400, 401, 403, 404, 503),
  },
};

export type ConsistencyQuery = { from: number; to?: number };

export const consistencySchema = {
  summary: 'RFC 9162 consistency proof (proofs.read)',
  querystring: querystring(
    {
      // RFC 9162 defines consistency from a non-empty tree: every tree extends the empty one.
      from: queryInteger('older tree size', { minimum: 1 }),
      to: queryInteger('newer tree size (default: latest)', { minimum: 1 }),
    },
    ['from'],
  ),
  response: {
    200: jsonResponse(
      'Proof',
      object({ from: int('Older size'), to: int('Newer size'), hashes }, ['from', 'to', 'hashes']),
    ),
    ...errorResponses(400, 401, 403, 503),
  },
};
