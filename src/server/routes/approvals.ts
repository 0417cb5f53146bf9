import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import { APPROVAL_STATUSES, approvalStatus } from '../../access/admin/approval.js';
import { approveRequest, rejectRequest } from '../../access/admin/decide-approval.js';
import { optionalReason } from '../../access/admin/principal-input.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { QueryReader } from '../http/query.js';
import { approvalJson } from '../presenters/approval.js';
import { principalJson } from '../presenters/principal.js';
import { adminContextOf } from './principals.js';

/** Four-eyes requests for giving or taking `admin`: list, approve, reject (approvals.decide). */
export function approvalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const admin = adminContextOf(ctx);

  app.get('/api/v1/approvals', async (request) => {
    await ctx.access(request, 'approvals.decide');
    const q = new QueryReader(request.query, ['status']);
    const status = q.oneOf('status', [...APPROVAL_STATUSES, 'all'] as const) ?? 'pending';
    const now = ctx.clock.now();
    const approvals = (await admin.approvals.all())
      .map((d) => d.value)
      .filter((a) => status === 'all' || approvalStatus(a, now) === status)
      .reverse();
    return { approvals: approvals.map((a) => approvalJson(a, now)) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/approvals/:id/approve', async (request) => {
    const principal = await ctx.access(request, 'approvals.decide');
    const body = jsonObjectBody(request.body, ['reason'], { optional: true });
    const decision = await approveRequest(
      admin,
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
    const decision = await rejectRequest(
      admin,
      adminActor(principal, request.ip),
      request.params.id,
      optionalReason(body),
    );
    return { approval: approvalJson(decision.approval, ctx.clock.now()) };
  });
}
