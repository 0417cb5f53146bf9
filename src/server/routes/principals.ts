import type { FastifyInstance } from 'fastify';
import { parseGrants } from '../../access/accounts/accounts.js';
import { type AdminContext, adminActor } from '../../access/admin/admin-context.js';
import {
  NEW_PRINCIPAL_FIELDS,
  optionalReason,
  PRINCIPAL_PATCH_FIELDS,
  parseNewPrincipal,
  parsePrincipalPatch,
} from '../../access/admin/principal-input.js';
import type { Role } from '../../access/principal.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { decodePrincipalCursor, encodePrincipalCursor } from '../http/principal-cursor.js';
import { approvalJson } from '../presenters/approval.js';
import { principalJson } from '../presenters/principal.js';
import {
  createPrincipalSchema,
  listPrincipalsSchema,
  setRolesSchema,
  showPrincipalSchema,
  updatePrincipalSchema,
} from './principals-schemas.js';

/** The administration context shared by the principal, token and approval routes. */
export function adminContextOf(ctx: ServerContext): AdminContext {
  return ctx.admin;
}

interface PrincipalListQuery {
  kind?: 'person' | 'service';
  role?: Role;
  limit?: number;
  cursor?: string;
}

/**
 * People and services: create, list, show, change, disable, and their roles.
 * Giving or taking `admin`, or a reading role to a principal an admin controls, answers 202
 * with a four-eyes request (routes/approvals.ts).
 */
export function principalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // A plugin runs after the OpenAPI generator's onRoute hook is in place, so it sees these.
  void app.register(async (scoped) => principalRoutesOn(scoped, ctx));
}

function principalRoutesOn(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/api/v1/principals',
    { config: { access: 'principals.manage' }, schema: createPrincipalSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'principals.manage');
      const input = parseNewPrincipal(jsonObjectBody(request.body, NEW_PRINCIPAL_FIELDS));
      const created = await ctx.principals.create(adminActor(principal, request.ip), input);
      const now = ctx.clock.now();
      // 202 when part of what was asked waits for a second admin (admin, or a reading role).
      return reply.status(created.approval ? 202 : 201).send({
        principal: principalJson(created.account),
        approval: created.approval && approvalJson(created.approval, now),
        approvals: created.approvals.map((a) => approvalJson(a, now)),
      });
    },
  );

  app.get<{ Querystring: PrincipalListQuery }>(
    '/api/v1/principals',
    { config: { access: 'principals.read' }, schema: listPrincipalsSchema },
    async (request) => {
      await ctx.access(request, 'principals.read');
      const { kind, role, limit, cursor } = request.query;
      const page = await ctx.principals.list({
        ...(kind ? { kind } : {}),
        ...(role ? { role } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(cursor !== undefined ? { afterId: decodePrincipalCursor(cursor) } : {}),
      });
      return {
        principals: page.principals.map(principalJson),
        next_cursor:
          page.nextAfterId === undefined ? null : encodePrincipalCursor(page.nextAfterId),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/principals/:id',
    { config: { access: 'principals.read' }, schema: showPrincipalSchema },
    async (request) => {
      await ctx.access(request, 'principals.read');
      const account = await ctx.principals.get(request.params.id);
      if (!account) throw new AppError('not_found', `no principal ${request.params.id}`);
      return principalJson(account);
    },
  );

  app.patch<{ Params: { id: string } }>(
    '/api/v1/principals/:id',
    { config: { access: 'principals.manage' }, schema: updatePrincipalSchema },
    async (request) => {
      const principal = await ctx.access(request, 'principals.manage');
      const patch = parsePrincipalPatch(jsonObjectBody(request.body, PRINCIPAL_PATCH_FIELDS));
      const account = await ctx.principals.update(
        adminActor(principal, request.ip),
        request.params.id,
        patch,
      );
      return principalJson(account);
    },
  );

  app.put<{ Params: { id: string } }>(
    '/api/v1/principals/:id/roles',
    { config: { access: 'principals.manage' }, schema: setRolesSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'principals.manage');
      const body = jsonObjectBody(request.body, ['roles', 'reason']);
      if (body.roles === undefined) {
        throw new AppError(
          'missing_field',
          '"roles" is required (an empty list removes every role)',
          {
            path: 'roles',
          },
        );
      }
      const change = await ctx.principals.setRoles(
        adminActor(principal, request.ip),
        request.params.id,
        parseGrants(body.roles),
        optionalReason(body),
      );
      const now = ctx.clock.now();
      return reply.status(change.approval ? 202 : 200).send({
        principal: principalJson(change.account),
        approval: change.approval && approvalJson(change.approval, now),
        approvals: change.approvals.map((a) => approvalJson(a, now)),
      });
    },
  );
}
