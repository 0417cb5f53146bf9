/** A real Evident server listening on loopback, for the client's tests. */
import { createServer, type Server, type Socket } from 'node:net';
import { type TestServer, testServer } from '../../../test/support/test-server.js';

export interface ListeningServer {
  t: TestServer;
  url: string;
  key: string;
  source: string;
  /** Entries of the test source, in seq order, as stored. */
  stored(): Promise<{ seq: number; id: string; record: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

export async function listeningServer(source = 'client-app'): Promise<ListeningServer> {
  const t = await testServer();
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const key = (await t.ingestKey(source)).authorization.slice('Bearer '.length);
  return {
    t,
    url,
    key,
    source,
    stored: async () => {
      const head = await t.log.store.head();
      const all = head ? await t.log.store.entries(0, head.size) : [];
      return all
        .filter((e) => e.source === source)
        .map((e) => ({ seq: e.seq, id: e.id, record: JSON.parse(e.record) }));
    },
    close: async () => {
      t.app.server.closeAllConnections();
      await t.close();
    },
  };
}

/**
 * A TCP relay in front of a server that, for the first `drops` connections, passes the
 * request on but cuts the client off before the answer arrives: the server has stored the
 * events, the client never hears so.
 */
export async function droppingRelay(
  target: string,
  drops: number,
): Promise<{ url: string; dropped: () => number; close: () => Promise<void> }> {
  const { hostname, port } = new URL(target);
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const drop = dropped < drops;
    if (drop) dropped++;
    import('node:net').then(({ connect }) => {
      const upstream = connect(Number(port), hostname);
      sockets.add(upstream);
      client.on('data', (d) => upstream.write(d));
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      upstream.on('data', (d) => {
        if (drop) {
          client.destroy();
          upstream.destroy();
        } else client.write(d);
      });
      upstream.on('end', () => client.end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    dropped: () => dropped,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port with nothing listening on it (bound, then released). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

export function sample(i: number) {
  return {
    actor: { id: `u-${i % 5}`, type: 'user' },
    action: 'customer.read',
    target: { type: 'customer', id: `c-${i}` },
    outcome: 'success' as const,
    time: new Date(Date.UTC(2026, 10, 22, 9, 0, 0) + i).toISOString(),
  };
}
