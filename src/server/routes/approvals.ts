import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import { optionalReason } from '../../access/admin/principal-input.js';
import type { ApprovalListStatus } from '../../store/tables/accounts/approvals-table.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { approvalJson } from '../presenters/approval.js';
import { principalJson } from '../presenters/principal.js';
import { approveSchema, listApprovalsSchema, rejectSchema } from './principals-schemas.js';

/** Four-eyes requests for giving or taking `admin`: list, approve, reject (approvals.decide). */
export function approvalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // A plugin runs after the OpenAPI generator's onRoute hook is in place, so it sees these.
  void app.register(async (scoped) => approvalRoutesOn(scoped, ctx));
}

function approvalRoutesOn(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: { status?: ApprovalListStatus } }>(
    '/api/v1/approvals',
    { config: { access: 'approvals.decide' }, schema: listApprovalsSchema },
    async (request) => {
      await ctx.access(request, 'approvals.decide');
      const approvals = await ctx.principals.approvals(request.query.status ?? 'pending');
      const now = ctx.clock.now();
      return { approvals: approvals.map((a) => approvalJson(a, now)) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/approvals/:id/approve',
    { config: { access: 'approvals.decide' }, schema: approveSchema },
    async (request) => {
      const principal = await ctx.access(request, 'approvals.decide');
      const body = jsonObjectBody(request.body, ['reason'], { optional: true });
      const decision = await ctx.principals.approve(
        adminActor(principal, request.ip),
        request.params.id,
        optionalReason(body),
      );
      return {
        approval: approvalJson(decision.approval, ctx.clock.now()),
        principal: decision.account ? principalJson(decision.account) : null,
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/approvals/:id/reject',
    { config: { access: 'approvals.decide' }, schema: rejectSchema },
    async (request) => {
      const principal = await ctx.access(request, 'approvals.decide');
      const body = jsonObjectBody(request.body, ['reason'], { optional: true });
      const decision = await ctx.principals.reject(
        adminActor(principal, request.ip),
        request.params.id,
        optionalReason(body),
      );
      return { approval: approvalJson(decision.approval, ctx.clock.now()) };
    },
  );
}
