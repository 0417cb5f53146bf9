import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SCRAM_MECHANISM } from '../auth/scram.js';
import { ScramClient } from '../auth/scram-client.js';
import type { BackendMessage } from './backend-messages.js';
import { BackendParser } from './backend-parser.js';
import * as write from './message-writer.js';
import {
  AUTH_CLEARTEXT_PASSWORD,
  AUTH_MD5_PASSWORD,
  AUTH_OK,
  AUTH_SASL,
  AUTH_SASL_CONTINUE,
  AUTH_SASL_FINAL,
} from './protocol.js';
import { openUpstreamSocket } from './upstream-socket.js';
import type { UpstreamTarget } from './upstream-target.js';

export interface OpenUpstream {
  socket: Socket;
  parser: BackendParser;
  processId: number;
  secretKey: Buffer;
  /** ParameterStatus and NoticeResponse messages of the startup, to pass on to the client. */
  startupMessages: Buffer[];
  /** The ReadyForQuery that ended the startup. */
  ready: Buffer;
  /** The TLS version upstream (e.g. TLSv1.3), when sslmode=verify-full. */
  tlsProtocol?: string;
}

/** The server refused the connection with an ErrorResponse; passed on to the client as is. */
export class UpstreamRefused extends Error {
  constructor(
    readonly raw: Buffer,
    message: string,
  ) {
    super(message);
  }
}

/** Connects and authenticates upstream as the gateway's service role. */
export async function openUpstream(
  target: UpstreamTarget,
  parameters: Map<string, string>,
): Promise<OpenUpstream> {
  const socket = await openUpstreamSocket(target);
  const tlsProtocol = target.tls ? ((socket as TLSSocket).getProtocol() ?? undefined) : undefined;
  return new Promise((resolve, reject) => {
    const parser = new BackendParser();
    const startupMessages: Buffer[] = [];
    let key: { processId: number; secretKey: Buffer } | undefined;
    let scram: ScramClient | undefined;
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    const handle = (m: BackendMessage): boolean => {
      switch (m.type) {
        case 'authentication':
          authenticate(m.kind, m.data);
          return false;
        case 'parameterStatus':
        case 'notice':
          startupMessages.push(m.raw);
          return false;
        case 'backendKeyData':
          key = { processId: m.processId, secretKey: Buffer.from(m.secretKey) };
          return false;
        case 'error':
          fail(new UpstreamRefused(m.raw, m.fields.get('M') ?? 'upstream refused the connection'));
          return true;
        case 'readyForQuery':
          socket.removeAllListeners('data');
          socket.removeAllListeners('error');
          socket.removeAllListeners('close');
          resolve({
            socket,
            parser,
            processId: key?.processId ?? 0,
            secretKey: key?.secretKey ?? Buffer.alloc(4),
            startupMessages,
            ready: m.raw,
            ...(tlsProtocol ? { tlsProtocol } : {}),
          });
          return true;
        default:
          return false;
      }
    };
    const password = () => {
      if (target.password === undefined)
        throw new Error(
          `upstream asks for a password for role "${target.user}"; put it in --upstream or PGPASSWORD`,
        );
      return target.password;
    };
    const authenticate = (kind: number, data: Buffer) => {
      if (kind === AUTH_OK) return;
      if (kind === AUTH_CLEARTEXT_PASSWORD) socket.write(write.passwordMessage(password()));
      else if (kind === AUTH_MD5_PASSWORD) {
        const inner = md5(password() + target.user);
        socket.write(write.passwordMessage(`md5${md5(Buffer.concat([Buffer.from(inner), data]))}`));
      } else if (kind === AUTH_SASL) {
        scram = new ScramClient(password(), randomBytes(18).toString('base64'));
        socket.write(write.saslInitialResponse(SCRAM_MECHANISM, Buffer.from(scram.clientFirst())));
      } else if (kind === AUTH_SASL_CONTINUE && scram)
        socket.write(write.saslResponse(Buffer.from(scram.clientFinal(data.toString('utf8')))));
      else if (kind === AUTH_SASL_FINAL && scram) scram.verifyServerFinal(data.toString('utf8'));
      else
        throw new Error(
          `upstream asks for an authentication method the gateway does not speak (${kind})`,
        );
    };
    socket.on('data', (chunk) => {
      try {
        parser.push(chunk);
        for (let m = parser.next(); m; m = parser.next()) if (handle(m)) return;
      } catch (error) {
        fail(error as Error);
      }
    });
    socket.on('error', (error) =>
      fail(new Error(`upstream ${target.host}:${target.port} failed: ${error.message}`)),
    );
    socket.on('close', () => fail(new Error('upstream closed the connection during startup')));
    socket.write(write.startupMessage(parameters));
  });
}

function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** Sends a CancelRequest upstream on a fresh connection (over TLS too), as the protocol requires. */
export function cancelUpstream(target: UpstreamTarget, processId: number, secretKey: Buffer): void {
  openUpstreamSocket(target).then(
    (socket) => {
      socket.on('error', () => socket.destroy());
      socket.end(write.cancelRequest(processId, secretKey));
    },
    () => {},
  );
}
