import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import type { StoredPolicy } from '../../retention/policy.js';
import { policyFields } from '../../retention/policy.js';
import type { ServerContext } from '../context.js';
import { approvalJson } from '../presenters/approval.js';
import { getRetentionSchema, putRetentionSchema } from './retention-schemas.js';

interface PutBody {
  source: string;
  min?: string | null;
  max?: string | null;
  archive?: boolean;
  reason?: string;
}

/** Retention policies (docs/retention.md): read with retention.read, set with retention.manage. */
export function retentionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/v1/retention',
    { config: { access: 'retention.read' }, schema: getRetentionSchema },
    async (request) => {
      await ctx.access(request, 'retention.read');
      return { policies: (await ctx.retention.list()).map(storedPolicyJson) };
    },
  );

  app.put<{ Body: PutBody }>(
    '/api/v1/retention',
    { config: { access: 'retention.manage' }, schema: putRetentionSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'retention.manage');
      const body = request.body;
      const result = await ctx.retention.set(
        adminActor(principal, request.ip),
        {
          source: body.source,
          min: body.min ?? null,
          max: body.max ?? null,
          archive: body.archive ?? false,
        },
        body.reason ?? null,
      );
      if ('applied' in result) return { policy: result.applied };
      return reply.status(202).send({
        approval: approvalJson(result.approval, ctx.clock.now()),
        shortens: result.shortens,
      });
    },
  );
}

function storedPolicyJson(policy: StoredPolicy) {
  return {
    ...policyFields(policy),
    updated_at: new Date(policy.updatedAtMs).toISOString(),
    updated_by: policy.updatedBy,
  };
}
