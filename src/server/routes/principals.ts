import type { FastifyInstance } from 'fastify';
import { parseGrants } from '../../access/accounts.js';
import { type AdminContext, adminActor } from '../../access/admin/admin-context.js';
import { MAX_PRINCIPAL_PAGE } from '../../access/admin/principal-directory.js';
import {
  NEW_PRINCIPAL_FIELDS,
  optionalReason,
  PRINCIPAL_PATCH_FIELDS,
  parseNewPrincipal,
  parsePrincipalPatch,
} from '../../access/admin/principal-input.js';
import { ROLES } from '../../access/principal.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { decodePrincipalCursor, encodePrincipalCursor } from '../http/principal-cursor.js';
import { QueryReader } from '../http/query.js';
import { approvalJson } from '../presenters/approval.js';
import { principalJson } from '../presenters/principal.js';

/** The administration context shared by the principal, token and approval routes. */
export function adminContextOf(ctx: ServerContext): AdminContext {
  return ctx.admin;
}

/**
 * People and services: create, list, show, change, disable, and their roles.
 * Giving or taking `admin`, or a reading role to a principal an admin controls, answers 202
 * with a four-eyes request (routes/approvals.ts).
 */
export function principalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/v1/principals', async (request, reply) => {
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
  });

  app.get('/api/v1/principals', async (request) => {
    await ctx.access(request, 'principals.read');
    const q = new QueryReader(request.query, ['kind', 'role', 'limit', 'cursor']);
    const kind = q.oneOf('kind', ['person', 'service'] as const);
    const role = q.oneOf('role', ROLES);
    const limit = q.integer('limit', { min: 1, max: MAX_PRINCIPAL_PAGE });
    const cursor = q.string('cursor');
    const page = await ctx.principals.list({
      ...(kind ? { kind } : {}),
      ...(role ? { role } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(cursor !== undefined ? { afterId: decodePrincipalCursor(cursor) } : {}),
    });
    return {
      principals: page.principals.map(principalJson),
      next_cursor: page.nextAfterId === undefined ? null : encodePrincipalCursor(page.nextAfterId),
    };
  });

  app.get<{ Params: { id: string } }>('/api/v1/principals/:id', async (request) => {
    await ctx.access(request, 'principals.read');
    new QueryReader(request.query, []);
    const account = await ctx.principals.get(request.params.id);
    if (!account) throw new AppError('not_found', `no principal ${request.params.id}`);
    return principalJson(account);
  });

  app.patch<{ Params: { id: string } }>('/api/v1/principals/:id', async (request) => {
    const principal = await ctx.access(request, 'principals.manage');
    const patch = parsePrincipalPatch(jsonObjectBody(request.body, PRINCIPAL_PATCH_FIELDS));
    const account = await ctx.principals.update(
      adminActor(principal, request.ip),
      request.params.id,
      patch,
    );
    return principalJson(account);
  });

  app.put<{ Params: { id: string } }>('/api/v1/principals/:id/roles', async (request, reply) => {
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
  });
}
