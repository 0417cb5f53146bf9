import type { BackendMessage } from './backend-messages.js';
import { Framer } from './framer.js';
import { MessageReader } from './message-reader.js';
import { MAX_SERVER_MESSAGE_BYTES } from './protocol.js';
import { ProtocolError } from './protocol-error.js';

type Simple = Extract<BackendMessage, { raw: Buffer; type: string }>['type'];

/** Server messages the gateway only counts or passes on: no body to decode. */
const BODYLESS: Record<string, Simple> = {
  '1': 'parseComplete',
  '2': 'bindComplete',
  '3': 'closeComplete',
  n: 'noData',
  t: 'parameterDescription',
  T: 'rowDescription',
  D: 'dataRow',
  I: 'emptyQueryResponse',
  s: 'portalSuspended',
  G: 'copyInResponse',
  H: 'copyOutResponse',
  W: 'copyBothResponse',
  d: 'copyData',
  c: 'copyDone',
  A: 'notification',
  V: 'functionCallResponse',
  v: 'negotiateProtocolVersion',
};

/** Sans-I/O parser of the server side of the protocol: fed bytes, returns whole messages. */
export class BackendParser {
  private readonly framer: Framer;

  constructor(options: { maxMessageBytes?: number } = {}) {
    this.framer = new Framer(options.maxMessageBytes ?? MAX_SERVER_MESSAGE_BYTES);
  }

  push(chunk: Buffer): void {
    this.framer.push(chunk);
  }

  get buffered(): number {
    return this.framer.buffered;
  }

  next(): BackendMessage | undefined {
    const frame = this.framer.next();
    if (!frame) return undefined;
    const { raw } = frame;
    const letter = String.fromCharCode(frame.code);
    const simple = BODYLESS[letter];
    if (simple) return { type: simple, raw } as BackendMessage;
    const r = new MessageReader(raw, frame.bodyStart, raw.length);
    switch (letter) {
      case 'R':
        return { type: 'authentication', kind: r.int32(), data: r.rest(), raw };
      case 'K':
        return { type: 'backendKeyData', processId: r.int32(), secretKey: r.rest(), raw };
      case 'S':
        return { type: 'parameterStatus', name: r.cstring(), value: r.cstring(), raw };
      case 'Z':
        return { type: 'readyForQuery', status: txStatus(r.byte()), raw };
      case 'C':
        return { type: 'commandComplete', tag: r.cstring(), raw };
      case 'E':
      case 'N':
        return { type: letter === 'E' ? 'error' : 'notice', fields: fields(r), raw };
      default:
        return { type: 'unknown', code: frame.code, raw };
    }
  }
}

function txStatus(byte: number): 'I' | 'T' | 'E' {
  const status = String.fromCharCode(byte);
  if (status === 'I' || status === 'T' || status === 'E') return status;
  throw new ProtocolError('malformed', `malformed ReadyForQuery: status byte ${byte}`);
}

function fields(r: MessageReader): Map<string, string> {
  const out = new Map<string, string>();
  for (;;) {
    const code = r.byte();
    if (code === 0) return out;
    out.set(String.fromCharCode(code), r.cstring());
  }
}
