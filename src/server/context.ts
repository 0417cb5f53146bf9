import type { FastifyRequest } from 'fastify';
import type { AdminToken } from '../access/admin-token.js';
import { authenticate } from '../access/authenticate.js';
import { authorize } from '../access/authorize.js';
import type { Action, Principal } from '../access/principal.js';
import { VerifiedKeys } from '../access/verified-keys.js';
import type { SelfAudit } from '../log/self-audit.js';
import type { Sequencer } from '../log/sequencer.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

/** What routes need, handed in by whoever starts the server (CLI, tests, benchmarks). */
export interface ServerDeps {
  store: Store;
  sequencer: Sequencer;
  origin: string;
  verifierKey: string;
  adminToken: AdminToken;
  clock: Clock;
  audit: SelfAudit;
}

export interface ServerContext extends ServerDeps {
  /** Authenticates the request and authorises `action`; throws 401/403. */
  access(request: FastifyRequest, action: Action): Promise<Principal>;
}

export function serverContext(deps: ServerDeps): ServerContext {
  const verified = new VerifiedKeys();
  return {
    ...deps,
    access: async (request, action) => {
      const principal = await authenticate(
        request.headers.authorization,
        deps.adminToken,
        deps.store,
        verified,
      );
      authorize(principal, action);
      return principal;
    },
  };
}
