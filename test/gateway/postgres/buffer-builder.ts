/** A tiny builder of protocol messages for tests, independent of the gateway's own writer. */
export class BufferBuilder {
  private bytes: number[] = [];

  int16(n: number): this {
    this.bytes.push((n >> 8) & 0xff, n & 0xff);
    return this;
  }

  int32(n: number): this {
    this.bytes.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    return this;
  }

  cstring(s: string): this {
    this.bytes.push(...Buffer.from(s, 'utf8'), 0);
    return this;
  }

  add(b: Buffer | number[]): this {
    this.bytes.push(...b);
    return this;
  }

  /** type byte + length (counting itself) + body */
  join(code?: string): Buffer {
    const body = Buffer.from(this.bytes);
    const head = Buffer.alloc(code ? 5 : 4);
    if (code) head[0] = code.charCodeAt(0);
    head.writeInt32BE(body.length + 4, code ? 1 : 0);
    return Buffer.concat([head, body]);
  }
}

export const build = () => new BufferBuilder();

export function bind(
  portal: string,
  statement: string,
  params: (string | Buffer | null)[],
  formats: number[] = [],
): Buffer {
  const b = build().cstring(portal).cstring(statement).int16(formats.length);
  for (const f of formats) b.int16(f);
  b.int16(params.length);
  for (const p of params) {
    if (p === null) b.int32(-1);
    else {
      const bytes = typeof p === 'string' ? Buffer.from(p) : p;
      b.int32(bytes.length).add(bytes);
    }
  }
  return b.int16(0).join('B');
}
