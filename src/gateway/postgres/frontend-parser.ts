import { type Frame, Framer } from './framer.js';
import type { FrontendMessage, StartupPacket } from './frontend-messages.js';
import { MessageReader } from './message-reader.js';
import {
  CANCEL_REQUEST_CODE,
  DEFAULT_MAX_CLIENT_MESSAGE_BYTES,
  GSSENC_REQUEST_CODE,
  SSL_REQUEST_CODE,
} from './protocol.js';
import { ProtocolError } from './protocol-error.js';

/**
 * Sans-I/O parser of the client side of the protocol: fed bytes, it returns whole messages.
 * The startup phase (untyped packets) and the rest (typed messages) are asked for
 * separately, because only the session knows when startup is over.
 */
export class FrontendParser {
  private readonly framer: Framer;

  constructor(options: { maxMessageBytes?: number } = {}) {
    this.framer = new Framer(options.maxMessageBytes ?? DEFAULT_MAX_CLIENT_MESSAGE_BYTES);
  }

  push(chunk: Buffer): void {
    this.framer.push(chunk);
  }

  /** Bytes received and not yet parsed (after an SSLRequest this must be 0: CVE-2021-23214). */
  get buffered(): number {
    return this.framer.buffered;
  }

  /** The bytes not parsed yet, handed back raw (the parser forgets them). */
  takeBuffered(): Buffer {
    return this.framer.take();
  }

  nextStartupPacket(): StartupPacket | undefined {
    const frame = this.framer.nextUntyped();
    return frame && decodeStartup(frame);
  }

  nextMessage(): FrontendMessage | undefined {
    const frame = this.framer.next();
    return frame && decodeMessage(frame);
  }
}

function decodeStartup(frame: Frame): StartupPacket {
  const { raw } = frame;
  const r = new MessageReader(raw, frame.bodyStart, raw.length);
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) return { type: 'sslRequest', raw };
  if (code === GSSENC_REQUEST_CODE) return { type: 'gssEncRequest', raw };
  if (code === CANCEL_REQUEST_CODE) {
    // Protocol 3.2 allows a secret key of up to 256 bytes; 3.0 sends exactly 4.
    const processId = r.int32();
    return { type: 'cancelRequest', processId, secretKey: Buffer.from(r.rest()), raw };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  const parameters = new Map<string, string>();
  for (;;) {
    const name = r.cstring();
    if (name === '') break;
    parameters.set(name, r.cstring());
  }
  if (r.remaining !== 0)
    throw new ProtocolError('malformed', 'malformed startup packet: bytes after its terminator');
  return { type: 'startup', major, minor, parameters, raw };
}

function decodeMessage(frame: Frame): FrontendMessage {
  const { raw } = frame;
  const r = new MessageReader(raw, frame.bodyStart, raw.length);
  switch (String.fromCharCode(frame.code)) {
    case 'Q':
      return { type: 'query', sql: r.cstring(), raw };
    case 'P': {
      const name = r.cstring();
      const sql = r.cstring();
      const count = r.int16();
      const paramTypes: number[] = [];
      for (let i = 0; i < count; i++) paramTypes.push(r.int32());
      return { type: 'parse', name, sql, paramTypes, raw };
    }
    case 'B':
      return decodeBind(r, raw);
    case 'D':
      return { type: 'describe', target: target(r.byte()), name: r.cstring(), raw };
    case 'E':
      return { type: 'execute', portal: r.cstring(), maxRows: r.int32(), raw };
    case 'C':
      return { type: 'close', target: target(r.byte()), name: r.cstring(), raw };
    case 'S':
      return { type: 'sync', raw };
    case 'H':
      return { type: 'flush', raw };
    case 'X':
      return { type: 'terminate', raw };
    case 'd':
      return { type: 'copyData', raw };
    case 'c':
      return { type: 'copyDone', raw };
    case 'f':
      return { type: 'copyFail', message: r.cstring(), raw };
    case 'p':
      return { type: 'authResponse', body: r.rest(), raw };
    case 'F':
      return { type: 'functionCall', functionOid: r.int32(), raw };
    default:
      return { type: 'unknown', code: frame.code, raw };
  }
}

function decodeBind(r: MessageReader, raw: Buffer): FrontendMessage {
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats: number[] = [];
  for (let i = r.int16(); i > 0; i--) paramFormats.push(r.int16());
  const params: (Buffer | null)[] = [];
  for (let i = r.int16(); i > 0; i--) {
    const length = r.int32();
    params.push(length === -1 ? null : r.bytes(length));
  }
  const resultFormats: number[] = [];
  for (let i = r.int16(); i > 0; i--) resultFormats.push(r.int16());
  return { type: 'bind', portal, statement, paramFormats, params, resultFormats, raw };
}

function target(byte: number): 'S' | 'P' {
  if (byte === 0x53) return 'S';
  if (byte === 0x50) return 'P';
  throw new ProtocolError(
    'malformed',
    `malformed message: Describe/Close target must be 'S' or 'P', got byte ${byte}`,
  );
}
