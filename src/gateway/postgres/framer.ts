import { MAX_STARTUP_PACKET_BYTES } from './protocol.js';
import { ProtocolError } from './protocol-error.js';

/** One whole message: its type byte (0 for a startup packet), its body and its exact bytes. */
export interface Frame {
  code: number;
  /** The message's bytes as received (forwarded unchanged). */
  raw: Buffer;
  /** Where the body (after type and length) starts and ends in `raw`. */
  bodyStart: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Cuts a byte stream into messages, whatever the chunking. A message's declared length is
 * checked against the bound as soon as the length field has arrived, before any of the body
 * is buffered, so a hostile peer cannot make the gateway hold more than `maxBytes`.
 */
export class Framer {
  private pending: Buffer = EMPTY;
  private offset = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    if (this.offset >= this.pending.length) {
      this.pending = chunk;
    } else {
      this.pending = Buffer.concat([this.pending.subarray(this.offset), chunk]);
    }
    this.offset = 0;
  }

  /** Bytes received but not yet returned as a message. */
  get buffered(): number {
    return this.pending.length - this.offset;
  }

  /** Hands back the unparsed bytes (to forward them raw) and forgets them. */
  take(): Buffer {
    const rest = this.pending.subarray(this.offset);
    this.pending = EMPTY;
    this.offset = 0;
    return rest;
  }

  /** The next typed message (type byte, int32 length including itself, body), if complete. */
  next(): Frame | undefined {
    if (this.buffered < 5) return undefined;
    const start = this.offset;
    const length = this.pending.readInt32BE(start + 1);
    if (length < 4)
      throw new ProtocolError('malformed', `malformed message: length ${length} is below 4`);
    if (length + 1 > this.maxBytes)
      throw new ProtocolError(
        'message_too_large',
        `a message of ${length + 1} bytes exceeds the limit of ${this.maxBytes} bytes`,
      );
    if (this.buffered < length + 1) return undefined;
    this.offset = start + length + 1;
    return {
      code: this.pending[start]!,
      raw: this.pending.subarray(start, this.offset),
      bodyStart: 5,
    };
  }

  /** The next startup-phase packet (int32 length including itself, body), if complete. */
  nextUntyped(): Frame | undefined {
    if (this.buffered < 4) return undefined;
    const start = this.offset;
    const length = this.pending.readInt32BE(start);
    if (length < 8 || length > MAX_STARTUP_PACKET_BYTES)
      throw new ProtocolError(
        length < 8 ? 'malformed' : 'message_too_large',
        `invalid startup packet length ${length} (expected 8 to ${MAX_STARTUP_PACKET_BYTES} bytes)`,
      );
    if (this.buffered < length) return undefined;
    this.offset = start + length;
    return { code: 0, raw: this.pending.subarray(start, this.offset), bodyStart: 4 };
  }
}
