import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import { authorize } from '../../access/authorization/authorize.js';
import type { Principal } from '../../access/principal.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { gatewayCredentialJson, gatewayGrantJson } from '../presenters/gateway.js';
import {
  createGatewayGrantSchema,
  deleteGatewayGrantSchema,
  gatewaySyncSchema,
  listAllGatewayCredentialsSchema,
  listGatewayGrantsSchema,
  listOwnGatewayCredentialsSchema,
  mintGatewayCredentialSchema,
  revokeGatewayCredentialSchema,
} from './gateway-schemas.js';

interface MintBody {
  expires_in_hours: number;
  label?: string | null;
}

interface GrantBody {
  person?: string;
  role?: string;
  database: string;
  upstream_role: string;
}

/**
 * The database gateway's credentials and policy (docs/gateway.md): people make and revoke
 * their own credentials (`self`), admins manage the policy and anyone's credentials
 * (`gateway.manage`), and a running gateway fetches both (`gateway.sync`).
 */
export function gatewayRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: MintBody }>(
    '/api/v1/gateway/credentials',
    { config: { access: 'self' }, schema: mintGatewayCredentialSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'self');
      const actor = adminActor(principal, request.ip);
      const minted = await ctx.gatewayCredentials.mint(actor, {
        lifetimeHours: request.body.expires_in_hours,
        label: request.body.label ?? null,
      });
      return reply.status(201).send({
        ...gatewayCredentialJson(minted.record, ctx.clock.now()),
        secret: minted.secret,
        user: actor.principal.name,
      });
    },
  );

  app.get(
    '/api/v1/gateway/credentials',
    { config: { access: 'self' }, schema: listOwnGatewayCredentialsSchema },
    async (request) => {
      const principal = await ctx.access(request, 'self');
      const now = ctx.clock.now();
      const own = await ctx.gatewayCredentials.own(principal.id);
      return { credentials: own.map((c) => gatewayCredentialJson(c, now)) };
    },
  );

  app.get(
    '/api/v1/gateway/credentials/all',
    { config: { access: 'gateway.manage' }, schema: listAllGatewayCredentialsSchema },
    async (request) => {
      await ctx.access(request, 'gateway.manage');
      const now = ctx.clock.now();
      const all = await ctx.gatewayCredentials.all();
      return { credentials: all.map((c) => gatewayCredentialJson(c, now)) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/gateway/credentials/:id',
    { config: { access: 'self' }, schema: revokeGatewayCredentialSchema },
    async (request) => {
      const principal = await ctx.access(request, 'self');
      const revoked = await ctx.gatewayCredentials.revoke(
        adminActor(principal, request.ip),
        request.params.id,
        { managesGateway: may(principal, 'gateway.manage') },
      );
      return gatewayCredentialJson(revoked, ctx.clock.now());
    },
  );

  app.get(
    '/api/v1/gateway/grants',
    { config: { access: 'gateway.manage' }, schema: listGatewayGrantsSchema },
    async (request) => {
      await ctx.access(request, 'gateway.manage');
      return { grants: (await ctx.gatewayGrants.list()).map(gatewayGrantJson) };
    },
  );

  app.post<{ Body: GrantBody }>(
    '/api/v1/gateway/grants',
    { config: { access: 'gateway.manage' }, schema: createGatewayGrantSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'gateway.manage');
      const { person, role, database, upstream_role } = request.body;
      if ((person === undefined) === (role === undefined))
        throw new AppError('conflicting_fields', 'give exactly one of "person" and "role"', {
          path: person === undefined ? 'person' : 'role',
        });
      const grant = await ctx.gatewayGrants.create(adminActor(principal, request.ip), {
        subjectType: person === undefined ? 'role' : 'person',
        subject: (person ?? role)!,
        database,
        upstreamRole: upstream_role,
      });
      return reply.status(201).send(gatewayGrantJson(grant));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/gateway/grants/:id',
    { config: { access: 'gateway.manage' }, schema: deleteGatewayGrantSchema },
    async (request) => {
      const principal = await ctx.access(request, 'gateway.manage');
      const removed = await ctx.gatewayGrants.remove(
        adminActor(principal, request.ip),
        request.params.id,
      );
      return gatewayGrantJson(removed);
    },
  );

  app.get(
    '/api/v1/gateway/sync',
    { config: { access: 'gateway.sync' }, schema: gatewaySyncSchema },
    async (request) => {
      await ctx.access(request, 'gateway.sync');
      const credentials = await ctx.gatewaySync.snapshot();
      return {
        credentials: credentials.map((c) => ({
          id: c.id,
          person_id: c.personId,
          person: c.person,
          verifier: c.verifier,
          expires_at: new Date(c.expiresAtMs).toISOString(),
          revoked: c.revoked,
          access: c.access.map((a) => ({ database: a.database, upstream_role: a.upstreamRole })),
        })),
      };
    },
  );
}

function may(principal: Principal, action: 'gateway.manage'): boolean {
  try {
    authorize(principal, action);
    return true;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return false;
  }
}
