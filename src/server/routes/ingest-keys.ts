import type { FastifyInstance } from 'fastify';
import type { IngestKeyRow } from '../../store/store.js';
import type { ServerContext } from '../context.js';
import {
  type CreateIngestKeyBody,
  createIngestKeySchema,
  listIngestKeysSchema,
  revokeIngestKeySchema,
} from './ingest-key-schemas.js';

/** Ingest keys over the API (admins), the same operations as `evident keys` at the machine. */
export function ingestKeyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: CreateIngestKeyBody }>(
    '/api/v1/keys',
    { config: { access: 'ingest_keys.manage' }, schema: createIngestKeySchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'ingest_keys.manage');
      // A bad source name is the client's 400 (its own reason); a store failure stays a 500.
      const created = await ctx.ingestKeys.create(request.body.source, request.body.label ?? null);
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'ingest_key.create',
        category: 'iam',
        target: { type: 'ingest_key', id: created.row.id },
        details: { source: created.row.source },
      });
      return reply.status(201).send({ ...keyJson(created.row), key: created.key });
    },
  );

  app.get(
    '/api/v1/keys',
    { config: { access: 'ingest_keys.manage' }, schema: listIngestKeysSchema },
    async (request) => {
      const principal = await ctx.access(request, 'ingest_keys.manage');
      const rows = await ctx.ingestKeys.list();
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'ingest_key.list',
        target: { type: 'ingest_key', id: '*' },
        details: { count: rows.length },
      });
      return { keys: rows.map(keyJson) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/keys/:id/revoke',
    { config: { access: 'ingest_keys.manage' }, schema: revokeIngestKeySchema },
    async (request) => {
      const principal = await ctx.access(request, 'ingest_keys.manage');
      const { key, revoked } = await ctx.ingestKeys.revoke(request.params.id);
      if (revoked) {
        await ctx.audit.record({
          principal,
          ip: request.ip,
          action: 'ingest_key.revoke',
          category: 'iam',
          target: { type: 'ingest_key', id: key.id },
          details: { source: key.source },
        });
      }
      return keyJson(key);
    },
  );
}

function keyJson(row: IngestKeyRow) {
  return {
    id: row.id,
    source: row.source,
    label: row.label,
    created_at: new Date(row.createdAtMs).toISOString(),
    revoked_at: row.revokedAtMs === null ? null : new Date(row.revokedAtMs).toISOString(),
  };
}
