import { CANCEL_REQUEST_CODE, PROTOCOL_3_0, SSL_REQUEST_CODE } from './protocol.js';

/** Builds one message: fields appended in order, the length filled in at the end. */
class Writer {
  private readonly parts: Buffer[] = [];
  private size = 0;

  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return this.add(b);
  }

  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return this.add(b);
  }

  cstring(s: string): this {
    return this.add(Buffer.from(`${s}\0`, 'utf8'));
  }

  bytes(b: Buffer): this {
    return this.add(b);
  }

  /** A typed message: type byte, int32 length (counting itself), body. */
  typed(code: string): Buffer {
    const head = Buffer.alloc(5);
    head[0] = code.charCodeAt(0);
    head.writeInt32BE(this.size + 4, 1);
    return Buffer.concat([head, ...this.parts]);
  }

  /** A startup-phase packet: int32 length (counting itself), body. */
  untyped(): Buffer {
    const head = Buffer.alloc(4);
    head.writeInt32BE(this.size + 4);
    return Buffer.concat([head, ...this.parts]);
  }

  private add(b: Buffer): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
}

// Messages the gateway sends to a client.

export function authentication(kind: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return new Writer().int32(kind).bytes(data).typed('R');
}

export function authenticationSasl(mechanisms: string[]): Buffer {
  const w = new Writer().int32(10);
  for (const m of mechanisms) w.cstring(m);
  return w.cstring('').typed('R');
}

export function backendKeyData(processId: number, secretKey: Buffer): Buffer {
  return new Writer().int32(processId).bytes(secretKey).typed('K');
}

export interface ErrorFields {
  severity: 'ERROR' | 'FATAL';
  sqlstate: string;
  message: string;
  detail?: string;
  hint?: string;
}

export function errorResponse(e: ErrorFields): Buffer {
  const w = new Writer();
  const field = (code: string, value: string) => w.bytes(Buffer.from(code)).cstring(value);
  field('S', e.severity);
  field('V', e.severity);
  field('C', e.sqlstate);
  field('M', e.message);
  if (e.detail) field('D', e.detail);
  if (e.hint) field('H', e.hint);
  return w.bytes(Buffer.from([0])).typed('E');
}

/** The newest minor version the gateway speaks, and the `_pq_` options it does not know. */
export function negotiateProtocolVersion(minor: number, unknownOptions: string[]): Buffer {
  const w = new Writer().int32((3 << 16) | minor).int32(unknownOptions.length);
  for (const o of unknownOptions) w.cstring(o);
  return w.typed('v');
}

export function parameterStatus(name: string, value: string): Buffer {
  return new Writer().cstring(name).cstring(value).typed('S');
}

// Messages the gateway sends upstream.

export function startupMessage(parameters: Map<string, string>): Buffer {
  const w = new Writer().int32(PROTOCOL_3_0);
  for (const [k, v] of parameters) w.cstring(k).cstring(v);
  return w.cstring('').untyped();
}

export function sslRequest(): Buffer {
  return new Writer().int32(SSL_REQUEST_CODE).untyped();
}

export function cancelRequest(processId: number, secretKey: Buffer): Buffer {
  return new Writer().int32(CANCEL_REQUEST_CODE).int32(processId).bytes(secretKey).untyped();
}

export function passwordMessage(password: string): Buffer {
  return new Writer().cstring(password).typed('p');
}

export function saslInitialResponse(mechanism: string, data: Buffer): Buffer {
  return new Writer().cstring(mechanism).int32(data.length).bytes(data).typed('p');
}

export function saslResponse(data: Buffer): Buffer {
  return new Writer().bytes(data).typed('p');
}

export function query(sql: string): Buffer {
  return new Writer().cstring(sql).typed('Q');
}

/** A Parse declaring no parameter types. */
export function parse(name: string, sql: string): Buffer {
  return new Writer().cstring(name).cstring(sql).int16(0).typed('P');
}

export function terminate(): Buffer {
  return new Writer().typed('X');
}
