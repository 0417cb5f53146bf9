import type { FastifyInstance } from 'fastify';
import { createIngestKey } from '../../access/ingest-keys.js';
import { AppError } from '../../errors.js';
import type { IngestKeyRow } from '../../store/store.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody, stringField } from '../http/json-body.js';

/** Ingest keys over the API (admins), the same operations as `evident keys` at the machine. */
export function ingestKeyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/v1/keys', async (request, reply) => {
    const principal = await ctx.access(request, 'ingest_keys.manage');
    const body = jsonObjectBody(request.body, ['source', 'label']);
    const source = stringField(body, 'source', { max: 128 })!;
    const label = stringField(body, 'label', { optional: true, max: 256 }) ?? null;
    // Only the name check is the client's fault (a 400 from createIngestKey); a store failure
    // stays a 500 through the error handler.
    const created = await createIngestKey(ctx.store, ctx.clock, source, label);
    await ctx.onIngestKeyCreated?.(created.row);
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'ingest_key.create',
      category: 'iam',
      target: { type: 'ingest_key', id: created.row.id },
      details: { source: created.row.source },
    });
    return reply.status(201).send({ ...keyJson(created.row), key: created.key });
  });

  app.get('/api/v1/keys', async (request) => {
    const principal = await ctx.access(request, 'ingest_keys.manage');
    const rows = await ctx.store.ingestKeys();
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'ingest_key.list',
      target: { type: 'ingest_key', id: '*' },
      details: { count: rows.length },
    });
    return { keys: rows.map(keyJson) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/keys/:id/revoke', async (request) => {
    const principal = await ctx.access(request, 'ingest_keys.manage');
    const existing = await ctx.store.ingestKey(request.params.id);
    if (!existing) throw new AppError('not_found', `no ingest key ${request.params.id}`);
    if (existing.revokedAtMs === null) {
      await ctx.store.revokeIngestKey(existing.id, ctx.clock.now());
      ctx.authenticator.forgetCached();
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'ingest_key.revoke',
        category: 'iam',
        target: { type: 'ingest_key', id: existing.id },
        details: { source: existing.source },
      });
    }
    return keyJson((await ctx.store.ingestKey(existing.id))!);
  });
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
