import { contentResponse, errorResponses, NO_QUERY, object, str } from '../http/schemas.js';

export interface PackRequest {
  from: string;
  to: string;
  since?: string;
}

export const createPackSchema = {
  summary:
    'Build an evidence pack for a period and download it (packs.create; unscoped; notarised)',
  description:
    "The same zip as `evident pack create` (docs/evidence-pack.md): reports as JSON, CSV and PDF, the cited events with inclusion proofs, the key history, the signed checkpoint it is cut at, verify.html. Creating it appends `evidence_pack.create` as the caller, carrying the manifest's SHA-256; the zip is then streamed. The headers `Evident-Manifest-Sha256` and `Evident-Tree-Size` name what was notarised and where the pack is cut.",
  querystring: NO_QUERY,
  body: object(
    {
      from: str('First day (2026-01-01, UTC) or RFC 3339 time of the period'),
      to: str('Last day (UTC, inclusive) or RFC 3339 time (exclusive)'),
      since: str(
        'A signed checkpoint the auditor kept (the text `evident checkpoint` prints): the pack proves the log extends it',
        { maxLength: 65536 },
      ),
    },
    ['from', 'to'],
  ),
  response: {
    200: contentResponse('The pack', { 'application/zip': { type: 'string', format: 'binary' } }),
    ...errorResponses(400, 401, 403, 503),
  },
};
