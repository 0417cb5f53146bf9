import { connect, createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export interface TlsUpstream {
  port: number;
  /** The TLS versions of the connections it terminated, in order. */
  sessions: string[];
  close(): Promise<void>;
}

/**
 * Stands in for a PostgreSQL server with `ssl = on` (the machine's cluster runs without TLS
 * and is shared): answers SSLRequest with 'S', terminates TLS with the given certificate,
 * and relays the decrypted protocol to the real server. Anything else is refused.
 */
export async function startTlsUpstream(
  cert: string,
  key: string,
  upstream: { host: string; port: number },
): Promise<TlsUpstream> {
  const sessions: string[] = [];
  const open = new Set<Socket>();
  const server: Server = createServer((raw) => {
    open.add(raw);
    raw.on('close', () => open.delete(raw));
    raw.on('error', () => raw.destroy());
    raw.once('data', (first: Buffer) => {
      if (!first.equals(SSL_REQUEST)) {
        raw.destroy();
        return;
      }
      raw.write('S');
      const secure = new TLSSocket(raw, { isServer: true, cert, key });
      secure.on('error', () => raw.destroy());
      secure.once('secure', () => {
        sessions.push(secure.getProtocol() ?? '?');
        const db = connect(upstream);
        db.on('error', () => secure.destroy());
        // pipe() ends each side when the other ends, after the bytes in flight (a cancel
        // packet is followed at once by the client's close).
        secure.pipe(db).pipe(secure);
        db.on('close', () => secure.destroy());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    sessions,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
