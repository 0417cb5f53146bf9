import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import { APPROVAL_STATUSES } from '../../access/admin/approval.js';
import { optionalReason } from '../../access/admin/principal-input.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { QueryReader } from '../http/query.js';
import { approvalJson } from '../presenters/approval.js';
import { principalJson } from '../presenters/principal.js';

/** Four-eyes requests for giving or taking `admin`: list, approve, reject (approvals.decide). */
export function approvalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/approvals', async (request) => {
    await ctx.access(request, 'approvals.decide');
    const q = new QueryReader(request.query, ['status']);
    const status = q.oneOf('status', [...APPROVAL_STATUSES, 'all'] as const) ?? 'pending';
    const approvals = await ctx.principals.approvals(status);
    const now = ctx.clock.now();
    return { approvals: approvals.map((a) => approvalJson(a, now)) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/approvals/:id/approve', async (request) => {
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
  });

  app.post<{ Params: { id: string } }>('/api/v1/approvals/:id/reject', async (request) => {
    const principal = await ctx.access(request, 'approvals.decide');
    const body = jsonObjectBody(request.body, ['reason'], { optional: true });
    const decision = await ctx.principals.reject(
      adminActor(principal, request.ip),
      request.params.id,
      optionalReason(body),
    );
    return { approval: approvalJson(decision.approval, ctx.clock.now()) };
  });
}
