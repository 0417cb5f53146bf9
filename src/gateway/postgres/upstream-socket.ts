import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import * as write from './message-writer.js';
import type { UpstreamTarget } from './upstream-target.js';

/**
 * A connection to the upstream server, ready for a startup or cancel packet: plain TCP, or
 * with `sslmode=verify-full` an SSLRequest, then TLS whose certificate must chain to the
 * configured CA and name the host (IP address or DNS name) the gateway was told to reach.
 */
export function openUpstreamSocket(target: UpstreamTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const tcp = connect({ host: target.host, port: target.port });
    tcp.setNoDelay(true);
    const fail = (error: Error) => {
      tcp.destroy();
      reject(error);
    };
    tcp.once('error', (error) =>
      fail(new Error(`cannot reach upstream ${target.host}:${target.port}: ${error.message}`)),
    );
    const tls = target.tls;
    if (!tls) {
      tcp.once('connect', () => {
        tcp.removeAllListeners('error');
        resolve(tcp);
      });
      return;
    }
    tcp.once('connect', () => tcp.write(write.sslRequest()));
    tcp.once('data', (answer: Buffer) => {
      if (answer[0] !== 0x53 /* S */) {
        fail(
          new Error(
            `upstream ${target.host}:${target.port} does not accept TLS (sslmode=verify-full)`,
          ),
        );
        return;
      }
      // CVE-2021-23222: bytes after 'S' came before any handshake; a man in the middle sent them.
      if (answer.length > 1) {
        fail(new Error('upstream sent unencrypted data after its TLS answer'));
        return;
      }
      tcp.removeAllListeners('error');
      const secure = connectTls({
        socket: tcp,
        host: target.host,
        // SNI carries DNS names only; an IP address is still checked against the certificate.
        ...(isIP(target.host) ? {} : { servername: target.host }),
        ...(tls.ca ? { ca: tls.ca } : {}),
        rejectUnauthorized: true,
      });
      secure.once('secureConnect', () => {
        secure.removeAllListeners('error');
        resolve(secure);
      });
      secure.once('error', (error) => {
        secure.destroy();
        reject(new Error(`TLS to upstream ${target.host}:${target.port} failed: ${error.message}`));
      });
    });
  });
}
