/**
 * Real receivers on loopback for notification tests: an HTTP webhook endpoint that checks
 * signatures the way docs/notifications.md tells receivers to, and an SMTP server.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import {
  verifyWebhookSignature,
  type WebhookVerification,
} from '../../../src/monitor/notify/signature.js';

export interface Received {
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as it arrived. */
  body: string;
  verification: WebhookVerification;
  /** What this receiver did: its status, or 'hang' (never answered). */
  answer: number | 'hang';
}

/** What the receiver answers to its n-th request (0-based) that carried a valid signature. */
export type Behaviour = (n: number) => number | 'hang';

export class WebhookReceiver {
  readonly requests: Received[] = [];
  /** Delivery ids already processed: a replay inside the window is acknowledged, not redone. */
  readonly processed = new Set<string>();
  private readonly waiters: ((r: Received) => void)[] = [];
  private consumed = 0;
  private readonly hanging = new Set<ServerResponse>();
  private valid = 0;

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
  ) {}

  static async start(
    secret: string,
    now: () => number,
    behaviour: Behaviour = () => 204,
  ): Promise<WebhookReceiver> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/hook`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const header = req.headers['evident-signature'];
        const verification = verifyWebhookSignature(
          secret,
          typeof header === 'string' ? header : undefined,
          raw,
          now(),
        );
        let answer: number | 'hang';
        const delivery = String(req.headers['evident-delivery']);
        if (!verification.ok) {
          answer = 401;
        } else if (receiver.processed.has(delivery)) {
          answer = 200; // already done: acknowledge, do nothing twice
        } else {
          answer = behaviour(receiver.valid++);
          if (answer !== 'hang' && answer >= 200 && answer < 300) receiver.processed.add(delivery);
        }
        const received = { headers: req.headers, body: raw.toString('utf8'), verification, answer };
        receiver.requests.push(received);
        if (answer === 'hang') {
          receiver.hanging.add(res);
          res.on('close', () => receiver.hanging.delete(res));
        } else {
          res.writeHead(answer, { 'content-type': 'text/plain' }).end(`answer ${answer}`);
        }
        receiver.waiters.shift()?.(received);
      });
    });
    return receiver;
  }

  /**
   * Requests one by one, in arrival order: the first call gives the first request, even if
   * it arrived before the call (an attempt may reach the receiver before the test waits).
   */
  next(): Promise<Received> {
    const waited = this.consumed++;
    const arrived = this.requests[waited];
    if (arrived) return Promise.resolve(arrived);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Requests still held open without an answer. */
  get hangingCount(): number {
    return this.hanging.size;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export interface Mail {
  from: string;
  to: string[];
  user: string | undefined;
  secure: boolean;
  raw: string;
}

/** An SMTP server on loopback that takes one account and keeps what it receives. */
export class MailSink {
  readonly messages: Mail[] = [];
  private readonly waiters: ((m: Mail) => void)[] = [];
  private consumed = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(
    account: { user: string; pass: string },
    options: Partial<SMTPServerOptions> = {},
  ): Promise<MailSink> {
    let sink: MailSink | undefined;
    const server = new SMTPServer({
      logger: false,
      disableReverseLookup: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        if (auth.username === account.user && auth.password === account.pass) {
          callback(null, { user: auth.username });
        } else {
          callback(new Error('Invalid username or password'));
        }
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const mail: Mail = {
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : undefined,
            secure: session.secure,
            raw: Buffer.concat(chunks).toString('utf8'),
          };
          sink!.messages.push(mail);
          sink!.waiters.shift()?.(mail);
          callback();
        });
      },
      ...options,
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    sink = new MailSink(server, (server.server.address() as AddressInfo).port);
    return sink;
  }

  /** Messages one by one, in arrival order (see WebhookReceiver.next). */
  next(): Promise<Mail> {
    const waited = this.consumed++;
    const arrived = this.messages[waited];
    if (arrived) return Promise.resolve(arrived);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The text of a quoted-printable part, for assertions on message bodies. */
export function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
