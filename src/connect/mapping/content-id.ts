import { createHash } from 'node:crypto';

/**
 * An event id derived from what a shipper sent: a retry of the same record gets the same id,
 * so the append stores it once. RFC 9562 UUIDv8 (custom) over SHA-256 of source, mapping and
 * the record's canonical text. The cost: two genuinely separate events with identical content
 * (same time to the shipper's resolution, same text) are stored once (docs/connect.md).
 */
export function contentId(source: string, mapping: string, canonical: string): string {
  const h = createHash('sha256').update(`${source}\n${mapping}\n${canonical}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8
  h[8] = (h[8]! & 0x3f) | 0x80; // variant 10
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
