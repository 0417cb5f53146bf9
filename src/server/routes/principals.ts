import type { FastifyInstance } from 'fastify';
import { parseGrants } from '../../access/accounts.js';
import { type AdminContext, adminActor } from '../../access/admin/admin-context.js';
import { createPrincipal } from '../../access/admin/create-principal.js';
import {
  NEW_PRINCIPAL_FIELDS,
  optionalReason,
  PRINCIPAL_PATCH_FIELDS,
  parseNewPrincipal,
  parsePrincipalPatch,
} from '../../access/admin/principal-input.js';
import { setRoles } from '../../access/admin/set-roles.js';
import { updatePrincipal } from '../../access/admin/update-principal.js';
import { ROLES } from '../../access/principal.js';
import { AppError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { QueryReader } from '../http/query.js';
import { approvalJson } from '../presenters/approval.js';
import { principalJson } from '../presenters/principal.js';

/** The administration context, built once with the server's services (context.ts). */
export function adminContextOf(ctx: ServerContext): AdminContext {
  return ctx.admin;
}

/**
 * People and services: create, list, show, change, disable, and their roles.
 * Giving or taking `admin`, or a reading role to a principal an admin controls, answers 202
 * with a four-eyes request (routes/approvals.ts).
 */
export function principalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const admin = adminContextOf(ctx);

  app.post('/api/v1/principals', async (request, reply) => {
    const principal = await ctx.access(request, 'principals.manage');
    const input = parseNewPrincipal(jsonObjectBody(request.body, NEW_PRINCIPAL_FIELDS));
    const created = await createPrincipal(admin, adminActor(principal, request.ip), input);
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
    const q = new QueryReader(request.query, ['kind', 'role']);
    const kind = q.oneOf('kind', ['person', 'service'] as const);
    const role = q.oneOf('role', ROLES);
    const accounts = (await ctx.accounts.list()).filter(
      (a) =>
        (kind === undefined || a.kind === kind) &&
        (role === undefined || a.grants.some((g) => g.role === role)),
    );
    return { principals: accounts.map(principalJson) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/principals/:id', async (request) => {
    await ctx.access(request, 'principals.read');
    new QueryReader(request.query, []);
    const account = await ctx.accounts.get(request.params.id);
    if (!account) throw new AppError('not_found', `no principal ${request.params.id}`);
    return principalJson(account);
  });

  app.patch<{ Params: { id: string } }>('/api/v1/principals/:id', async (request) => {
    const principal = await ctx.access(request, 'principals.manage');
    const patch = parsePrincipalPatch(jsonObjectBody(request.body, PRINCIPAL_PATCH_FIELDS));
    const account = await updatePrincipal(
      admin,
      adminActor(principal, request.ip),
      request.params.id,
      patch,
    );
    // Whoever knew the old password may hold a session: a reset (or disabling) ends them.
    if (patch.password !== undefined || patch.disabled === true) {
      await ctx.signIn?.sessions.revokeAccount(account.id);
    }
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
    const change = await setRoles(
      admin,
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
