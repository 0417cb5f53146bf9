import { ProtocolError } from './protocol-error.js';

/**
 * Reads the fields of one complete message body. Every read is bounds-checked, so a length
 * field that lies becomes a ProtocolError, never an exception from Buffer.
 */
export class MessageReader {
  private offset: number;

  constructor(
    private readonly buffer: Buffer,
    start: number,
    private readonly end: number,
  ) {
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  int16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  byte(): number {
    this.need(1);
    return this.buffer[this.offset++]!;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const nul = this.buffer.indexOf(0, this.offset);
    if (nul === -1 || nul >= this.end) throw malformed('a string is missing its NUL terminator');
    const value = this.buffer.toString('utf8', this.offset, nul);
    this.offset = nul + 1;
    return value;
  }

  bytes(length: number): Buffer {
    if (length < 0) throw malformed(`a negative length (${length})`);
    this.need(length);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  private need(n: number): void {
    if (this.offset + n > this.end)
      throw malformed(`a field runs past the end of its message (${n} byte(s) wanted)`);
  }
}

function malformed(what: string): ProtocolError {
  return new ProtocolError('malformed', `malformed message: ${what}`);
}
