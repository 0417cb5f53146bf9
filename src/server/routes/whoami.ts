import type { FastifyInstance } from 'fastify';
import { readFourEyes } from '../../access/admin/four-eyes-settings.js';
import type { AccountPrincipal, Principal } from '../../access/principal.js';
import type { ServerContext } from '../context.js';
import { QueryReader } from '../http/query.js';
import { grantsJson } from '../presenters/principal.js';

/**
 * Who the credential is: any authenticated principal, ingest keys included (so a script can
 * check its key before sending). Roles are what this credential may use, after a token's
 * narrowing. Not an event: it reads nothing of the log.
 */
export function whoamiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/whoami', async (request) => {
    const principal = await ctx.authenticate(request);
    new QueryReader(request.query, []);
    return principal.kind === 'ingest' ? ingestView(principal) : accountView(ctx, principal);
  });
}

function ingestView(principal: Extract<Principal, { kind: 'ingest' }>) {
  return {
    id: principal.id,
    kind: principal.kind,
    name: null,
    source: principal.source,
    roles: [],
    credential: { method: 'ingest_key', key_id: principal.id },
  };
}

async function accountView(ctx: ServerContext, principal: AccountPrincipal) {
  const account = await ctx.accounts.get(principal.id);
  const c = principal.credential;
  let credential: Record<string, unknown> = { method: c.method };
  if (c.method === 'token') {
    const token = (await ctx.tokens.tokens.get(c.tokenId))?.value;
    credential = {
      method: 'token',
      token_id: c.tokenId,
      label: token?.label ?? null,
      expires_at: token ? new Date(token.expiresAtMs).toISOString() : null,
    };
  }
  return {
    id: principal.id,
    kind: principal.kind,
    name: principal.name,
    display_name: account?.displayName ?? null,
    email: account?.email ?? null,
    roles: grantsJson(principal.grants),
    credential,
    // Said to everyone: whether an admin alone can make a reader is part of what a grant means.
    four_eyes: { reader_grants: (await readFourEyes(ctx.store)).readerGrants },
  };
}
