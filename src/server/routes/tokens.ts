import type { FastifyInstance } from 'fastify';
import {
  createOwnToken,
  createServiceToken,
  parseTokenRequest,
  revokeTokenOf,
  TOKEN_REQUEST_FIELDS,
  tokensOfPrincipal,
} from '../../access/admin/account-tokens.js';
import { adminActor } from '../../access/admin/admin-context.js';
import { authorize } from '../../access/authorization/authorize.js';
import type { CreatedToken } from '../../access/credentials/api-tokens.js';
import type { Principal } from '../../access/principal.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { approvalJson } from '../presenters/approval.js';
import { tokenJson } from '../presenters/token.js';
import {
  createOwnTokenSchema,
  createServiceTokenSchema,
  listOwnTokensSchema,
  listPrincipalTokensSchema,
  revokeTokenSchema,
} from './tokens-schemas.js';

/**
 * API tokens: anyone's own (action `self`), and a service principal's by an admin
 * (`tokens.manage`). The secret is in the creation answer only; revocation applies at once.
 */
export function tokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const admin = ctx.admin;
  const created = (c: CreatedToken) => ({
    ...tokenJson(c.record, ctx.clock.now()),
    token: c.token,
  });

  app.post(
    '/api/v1/tokens',
    { config: { access: 'self' }, schema: createOwnTokenSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'self');
      const input = parseTokenRequest(
        jsonObjectBody(request.body, TOKEN_REQUEST_FIELDS, { optional: true }),
      );
      const token = await createOwnToken(admin, adminActor(principal, request.ip), input);
      return reply.status(201).send(created(token));
    },
  );

  app.get(
    '/api/v1/tokens',
    { config: { access: 'self' }, schema: listOwnTokensSchema },
    async (request) => {
      const principal = await ctx.access(request, 'self');
      const now = ctx.clock.now();
      return { tokens: (await ctx.tokens.forAccount(principal.id)).map((t) => tokenJson(t, now)) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    { config: { access: 'self' }, schema: revokeTokenSchema },
    async (request) => {
      const principal = await ctx.access(request, 'self');
      const revoked = await revokeTokenOf(
        admin,
        adminActor(principal, request.ip),
        request.params.id,
        {
          managesTokens: may(principal, 'tokens.manage'),
        },
      );
      return tokenJson(revoked, ctx.clock.now());
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/principals/:id/tokens',
    { config: { access: 'tokens.manage' }, schema: createServiceTokenSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'tokens.manage');
      const input = parseTokenRequest(
        jsonObjectBody(request.body, TOKEN_REQUEST_FIELDS, { optional: true }),
      );
      const token = await createServiceToken(
        admin,
        adminActor(principal, request.ip),
        request.params.id,
        input,
      );
      // A token carrying a reading role may wait for a second admin: 202, and it works once approved.
      return reply.status(token.approval ? 202 : 201).send({
        ...created(token),
        ...(token.approval ? { approval: approvalJson(token.approval, ctx.clock.now()) } : {}),
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/principals/:id/tokens',
    { config: { access: 'tokens.manage' }, schema: listPrincipalTokensSchema },
    async (request) => {
      await ctx.access(request, 'tokens.manage');
      const tokens = await tokensOfPrincipal(admin, request.params.id);
      const now = ctx.clock.now();
      return { tokens: tokens.map((t) => tokenJson(t, now)) };
    },
  );
}

function may(principal: Principal, action: 'tokens.manage'): boolean {
  try {
    authorize(principal, action);
    return true;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return false;
  }
}
