import { createServer, type Server } from 'node:net';
import { ClientSession } from './client-session.js';
import type { GatewayDeps } from './gateway-deps.js';

/**
 * The listening socket: one ClientSession per connection (the only other I/O file). Each
 * session takes the dependencies current when it connects (a reload changes them).
 */
export function startGateway(
  deps: () => GatewayDeps,
  listen: { host: string; port: number },
): Promise<Server> {
  const server = createServer((socket) => new ClientSession(socket, deps()));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
