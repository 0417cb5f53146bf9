import { connect, type Socket } from 'node:net';
import type { BackendMessage } from '../../src/gateway/postgres/backend-messages.js';
import { BackendParser } from '../../src/gateway/postgres/backend-parser.js';

/** A bare socket to the gateway that reads server messages, for protocol edge cases. */
export class RawConnection {
  private readonly parser = new BackendParser();
  private readonly messages: BackendMessage[] = [];
  private readonly bytes: Buffer[] = [];
  private waiter: (() => void) | undefined;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes.push(chunk);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  /** One raw byte (the answer to SSLRequest / GSSENCRequest). */
  async byte(): Promise<string> {
    await this.until(() => this.available() >= 1);
    const all = Buffer.concat(this.bytes.splice(0));
    if (all.length > 1) this.bytes.push(all.subarray(1));
    return String.fromCharCode(all[0]!);
  }

  /** The next server message, or undefined once the connection closed. */
  async next(): Promise<BackendMessage | undefined> {
    for (;;) {
      const queued = this.messages.shift();
      if (queued) return queued;
      if (this.bytes.length > 0) {
        for (const b of this.bytes.splice(0)) this.parser.push(b);
        for (let m = this.parser.next(); m; m = this.parser.next()) this.messages.push(m);
        continue;
      }
      if (this.closed) return undefined;
      await this.until(() => this.bytes.length > 0 || this.closed);
    }
  }

  write(b: Buffer | string): void {
    this.socket.write(b);
  }

  close(): void {
    this.socket.destroy();
  }

  private available(): number {
    return this.bytes.reduce((n, b) => n + b.length, 0);
  }

  private until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = () => {
        if (ready() || this.closed) {
          this.waiter = undefined;
          resolve();
        }
      };
    });
  }
}
