import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { SubmittedRecord } from '../../core/record/types.js';
import type { Store } from '../../store/store.js';
import type { LineMapper } from '../log-line.js';
import { SyslogConnection } from './connection.js';
import type { ListenerSpec } from './listener-spec.js';

export interface ListenerDeps {
  store: Store;
  /** The same append POST /api/v1/events uses (sequencer.append). */
  append: (records: SubmittedRecord[], source: string) => Promise<unknown>;
  now: () => number;
  mappers: readonly LineMapper[];
  /** PEM server certificate and key, for tls:// listeners. */
  tls?: { cert: string; key: string };
  onError: (error: unknown) => void;
  /** How often the bound ingest key is checked for revocation. */
  keyCheckMs?: number;
}

export interface RunningListener {
  spec: ListenerSpec;
  source: string;
  /** host:port actually bound (port 0 picks a free one). */
  address: { host: string; port: number };
  /** Records committed since start. */
  committed(): number;
  close(): Promise<void>;
}

/** How long close() lets connected senders finish what they were writing. */
const CLOSE_GRACE_MS = 1000;

/**
 * Listens for syslog over TCP or TLS and appends every message as the bound ingest key's
 * source. Refuses to start when the key is unknown or revoked; stops taking data (closing
 * connections) when the key is revoked while running.
 */
export async function startSyslogListener(
  spec: ListenerSpec,
  deps: ListenerDeps,
): Promise<RunningListener> {
  const key = await deps.store.ingestKey(spec.keyId);
  if (!key)
    throw new Error(
      `--syslog ${spec.text}: no ingest key with id ${spec.keyId} (evident keys list)`,
    );
  if (key.revokedAtMs !== null)
    throw new Error(`--syslog ${spec.text}: ingest key ${spec.keyId} is revoked`);
  const source = key.source;
  const connections = new Map<Socket, SyslogConnection>();
  let committedClosed = 0;
  let revoked = false;

  const onSocket = (socket: Socket) => {
    if (revoked) {
      socket.destroy();
      return;
    }
    if (spec.clientCns) {
      const cn = (socket as TLSSocket).getPeerCertificate?.()?.subject?.CN;
      if (typeof cn !== 'string' || !spec.clientCns.includes(cn)) {
        deps.onError(
          new Error(
            `syslog ${spec.text}: refused a client certificate with CN ${JSON.stringify(cn)}`,
          ),
        );
        socket.destroy();
        return;
      }
    }
    const connection = new SyslogConnection(socket, {
      mappers: deps.mappers,
      source,
      peerIp: plainIp(socket.remoteAddress),
      now: deps.now,
      append: (records) => deps.append(records, source),
      highWater: 10_000,
      maxBatch: 5_000,
      maxInFlight: 2,
      retryDelayMs: 500,
      onError: deps.onError,
    });
    connections.set(socket, connection);
    // A bug must cost one connection, never the server: what was read is still appended.
    const guarded = (step: () => void) => {
      try {
        step();
      } catch (error) {
        deps.onError(error);
        socket.destroy();
      }
    };
    socket.on('data', (chunk: Buffer) => guarded(() => connection.push(chunk)));
    socket.on('end', () => guarded(() => connection.end()));
    socket.on('error', () => {}); // a reset by the peer: what was read is still appended
    socket.on('close', () => {
      void connection.idle().then(() => {
        committedClosed += connection.committed;
        connections.delete(socket);
      });
    });
  };

  let server: Server;
  if (spec.protocol === 'tls') {
    if (!deps.tls)
      throw new Error(`--syslog ${spec.text}: tls:// needs --syslog-cert and --syslog-key`);
    server = createTlsServer(
      {
        cert: deps.tls.cert,
        key: deps.tls.key,
        ...(spec.clientCa
          ? { ca: readFileSync(spec.clientCa, 'utf8'), requestCert: true, rejectUnauthorized: true }
          : {}),
      },
      onSocket,
    );
    server.on('tlsClientError', (error) => deps.onError(error));
  } else {
    server = createServer(onSocket);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(spec.port, spec.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', deps.onError);

  const checkKey = setInterval(() => {
    void deps.store.ingestKey(spec.keyId).then(
      (row) => {
        if (row && row.revokedAtMs === null) return;
        revoked = true;
        for (const [socket, connection] of connections) {
          connection.stop();
          socket.destroy();
        }
      },
      (error: unknown) => deps.onError(error),
    );
  }, deps.keyCheckMs ?? 10_000);
  checkKey.unref();

  const bound = server.address();
  const address =
    typeof bound === 'object' && bound !== null
      ? { host: bound.address, port: bound.port }
      : { host: spec.host, port: spec.port };
  return {
    spec,
    source,
    address,
    committed: () =>
      committedClosed + [...connections.values()].reduce((n, c) => n + c.committed, 0),
    close: async () => {
      clearInterval(checkKey);
      const closed = new Promise((resolve) => server.close(resolve));
      // Let senders finish the lines in flight, then append everything read before closing.
      await Promise.race([
        Promise.all(
          [...connections.keys()].map(
            (s) => new Promise((r) => (s.closed ? r(null) : s.once('close', r))),
          ),
        ),
        new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
      ]);
      for (const socket of connections.keys()) socket.pause();
      await Promise.all([...connections.values()].map((c) => c.idle()));
      for (const socket of connections.keys()) socket.destroy();
      await closed;
    },
  };
}

/** "::ffff:10.0.0.7" (an IPv4 peer on a dual-stack socket) as "10.0.0.7". */
function plainIp(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
