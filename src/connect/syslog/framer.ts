/** One syslog message as it came off the wire (without its framing). */
export interface Frame {
  bytes: Buffer;
  /** The frame was longer than the cap: `bytes` is its start only. */
  truncated: boolean;
}

/** Frames longer than this are cut (and stored raw, marked truncated), never buffered whole. */
export const MAX_FRAME_BYTES = 64 * 1024;

const LF = 0x0a;
const NUL = 0x00;
const SP = 0x20;

/**
 * Sans-I/O splitter for syslog over a stream (RFC 6587): feed it bytes as they arrive, in
 * any split, and it returns the complete messages. Each frame decides its own method:
 * octet-counting (§3.4.1, `MSG-LEN SP SYSLOG-MSG`) when it starts with a digit, since a
 * syslog message itself starts with `<`; otherwise non-transparent framing (§3.4.2), ended
 * by LF (or NUL, which some senders use). A frame never grows past `maxFrame` bytes.
 */
export class SyslogFramer {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes still to skip of an over-long frame whose head was already emitted. */
  private skipOctets = 0;
  private skippingLine = false;

  constructor(private readonly maxFrame = MAX_FRAME_BYTES) {}

  push(chunk: Buffer): Frame[] {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    for (;;) {
      if (this.skipOctets > 0) {
        const n = Math.min(this.skipOctets, data.length - at);
        this.skipOctets -= n;
        at += n;
        if (this.skipOctets > 0) break;
        continue;
      }
      if (this.skippingLine) {
        const end = lineEnd(data, at);
        if (end < 0) {
          at = data.length;
          break;
        }
        this.skippingLine = false;
        at = end + 1;
        continue;
      }
      if (at >= data.length) break;
      const first = data[at]!;
      if (first === LF || first === NUL || first === 0x0d) {
        at++; // stray terminators between frames
        continue;
      }
      if (first >= 0x30 && first <= 0x39) {
        const counted = this.octetCounted(data, at, frames);
        if (counted < 0) break;
        at = counted;
        continue;
      }
      const end = lineEnd(data, at);
      if (end < 0) {
        if (data.length - at > this.maxFrame) {
          frames.push({
            bytes: Buffer.from(data.subarray(at, at + this.maxFrame)),
            truncated: true,
          });
          this.skippingLine = true;
          at = data.length;
        }
        break;
      }
      let stop = end;
      if (stop > at && data[stop - 1] === 0x0d) stop--;
      const len = stop - at;
      frames.push({
        bytes: Buffer.from(data.subarray(at, at + Math.min(len, this.maxFrame))),
        truncated: len > this.maxFrame,
      });
      at = end + 1;
    }
    data = data.subarray(at);
    this.pending = data.length === 0 ? Buffer.alloc(0) : Buffer.from(data);
    return frames;
  }

  /** Bytes of an unfinished frame at the end of the stream (a sender that closed mid-line). */
  end(): Frame[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length === 0 || this.skipOctets > 0 || this.skippingLine) return [];
    return [{ bytes: rest.subarray(0, this.maxFrame), truncated: rest.length > this.maxFrame }];
  }

  /** Returns the offset after the frame, or -1 when more bytes are needed. */
  private octetCounted(data: Buffer, at: number, frames: Frame[]): number {
    let i = at;
    let length = 0;
    while (i < data.length && data[i]! >= 0x30 && data[i]! <= 0x39 && i - at < 10) {
      length = length * 10 + (data[i]! - 0x30);
      i++;
    }
    if (i >= data.length) return -1;
    if (data[i] !== SP) {
      // Digits not followed by a space: not a length. Treat the line as a plain message.
      const end = lineEnd(data, at);
      if (end < 0) return -1;
      frames.push({ bytes: Buffer.from(data.subarray(at, end)), truncated: false });
      return end + 1;
    }
    const start = i + 1;
    const available = data.length - start;
    if (length > this.maxFrame) {
      if (available < this.maxFrame) return -1;
      frames.push({
        bytes: Buffer.from(data.subarray(start, start + this.maxFrame)),
        truncated: true,
      });
      this.skipOctets = length - this.maxFrame;
      return start + this.maxFrame;
    }
    if (available < length) return -1;
    frames.push({ bytes: Buffer.from(data.subarray(start, start + length)), truncated: false });
    return start + length;
  }
}

function lineEnd(data: Buffer, from: number): number {
  for (let i = from; i < data.length; i++) {
    const c = data[i];
    if (c === LF || c === NUL) return i;
  }
  return -1;
}
