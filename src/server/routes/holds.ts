import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import type { LegalHold } from '../../retention/hold.js';
import type { ServerContext } from '../context.js';
import { approvalJson } from '../presenters/approval.js';
import { listHoldsSchema, placeHoldSchema, releaseHoldSchema } from './holds-schemas.js';

interface PlaceBody {
  source?: string | null;
  actor_id?: string | null;
  target_id?: string | null;
  from?: string | null;
  to?: string | null;
  matter: string;
  reason: string;
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);
const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** Legal holds (docs/retention.md): read with retention.read, placed/released with retention.manage. */
export function holdRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/v1/holds',
    { config: { access: 'retention.read' }, schema: listHoldsSchema },
    async (request) => {
      await ctx.access(request, 'retention.read');
      return { holds: (await ctx.holds.list()).map(holdJson) };
    },
  );

  app.post<{ Body: PlaceBody }>(
    '/api/v1/holds',
    { config: { access: 'retention.manage' }, schema: placeHoldSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'retention.manage');
      const b = request.body;
      const hold = await ctx.holds.place(adminActor(principal, request.ip), {
        source: b.source ?? null,
        actorId: b.actor_id ?? null,
        targetId: b.target_id ?? null,
        fromMs: ms(b.from),
        toMs: ms(b.to),
        matter: b.matter,
        reason: b.reason,
      });
      return reply.status(201).send({ hold: holdJson(hold) });
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(
    '/api/v1/holds/:id/release',
    { config: { access: 'retention.manage' }, schema: releaseHoldSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'retention.manage');
      const approval = await ctx.holds.requestRelease(
        adminActor(principal, request.ip),
        request.params.id,
        request.body?.reason ?? null,
      );
      return reply.status(202).send({ approval: approvalJson(approval, ctx.clock.now()) });
    },
  );
}

function holdJson(hold: LegalHold) {
  return {
    id: hold.id,
    matter: hold.matter,
    reason: hold.reason,
    source: hold.source,
    actor_id: hold.actorId,
    target_id: hold.targetId,
    from: iso(hold.fromMs),
    to: iso(hold.toMs),
    placed_at: new Date(hold.placedAtMs).toISOString(),
    placed_by: hold.placedBy,
    released_at: iso(hold.releasedAtMs),
    released_by: hold.releasedBy,
  };
}
