import type { FastifyInstance } from 'fastify';
import { authorize } from '../../access/authorization/authorize.js';
import { describeScope, inScope } from '../../access/authorization/source-scope.js';
import { toBase64 } from '../../core/bytes.js';
import type { ServerContext } from '../context.js';
import { entryListJson } from '../presenters/entry.js';
import {
  type ConsistencyQuery,
  checkpointSchema,
  consistencySchema,
  type EntriesQuery,
  entriesSchema,
  type InclusionQuery,
  inclusionSchema,
  logInfoSchema,
  logKeysSchema,
} from './log-schemas.js';

export function logRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/v1/log',
    { config: { access: 'log.read' }, schema: logInfoSchema },
    async (request) => {
      await ctx.access(request, 'log.read');
      const info = await ctx.log.info();
      return {
        origin: ctx.origin,
        verifier_key: info.verifierKey,
        tree_size: info.head.size,
        root_hash: toBase64(info.head.rootHash),
        checkpoint: info.checkpoint,
      };
    },
  );

  app.get(
    '/api/v1/log/checkpoint',
    { config: { access: 'log.read' }, schema: checkpointSchema },
    async (request, reply) => {
      await ctx.access(request, 'log.read');
      // Also the tlog-tiles checkpoint (prefix /api/v1/log/): it changes, so no caching.
      return reply
        .header('cache-control', 'no-cache')
        .type('text/plain; charset=utf-8')
        .send(await ctx.log.checkpoint());
    },
  );

  // Public: verifier keys are public material, and a verifier needs them before it trusts
  // anything else the server says. Each later key comes with its handover checkpoint, signed
  // by it and by the key before, so a verifier can chain from a key it pinned long ago.
  app.get(
    '/api/v1/log/keys',
    { config: { access: 'public' }, schema: logKeysSchema },
    async () => ({ origin: ctx.origin, ...(await ctx.log.keys()) }),
  );

  app.get<{ Querystring: EntriesQuery }>(
    '/api/v1/log/entries',
    // Raw pages show every source: only an unscoped grant may read them (log.entries).
    { config: { access: 'log.entries' }, schema: entriesSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'log.entries');
      const page = await ctx.log.entries(request.query.start, request.query.end);
      // The page is serialised while the writer commits the export's trace.
      const body = await ctx.audit.recordWhile(
        {
          principal,
          ip: request.ip,
          action: 'audit_log.export',
          details: { start: page.start, end: page.end, returned: page.entries.length },
        },
        () =>
          entryListJson(
            page.entries,
            { next_start: page.nextStart },
            ctx.entryFlags,
            page.purgedIds,
          ),
      );
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get<{ Querystring: InclusionQuery }>(
    '/api/v1/log/proof/inclusion',
    { config: { access: 'proofs.read' }, schema: inclusionSchema },
    async (request) => {
      const { principal, scope } = await ctx.accessScoped(request, 'proofs.read');
      const proof = await ctx.log.inclusion(request.query.seq, request.query.tree_size);
      const outside = !inScope(scope, proof.entry.source);
      // The answer is encoded while the writer commits the proof request's trace.
      const answer = await ctx.audit.recordWhile(
        {
          principal,
          ip: request.ip,
          action: 'audit_log.proof',
          ...(outside ? { outcome: 'denied', reason: "outside the reader's sources" } : {}),
          details: {
            kind: 'inclusion',
            seq: proof.seq,
            tree_size: proof.treeSize,
            scope: describeScope(scope),
          },
        },
        () => ({
          seq: proof.seq,
          tree_size: proof.treeSize,
          leaf_hash: toBase64(proof.entry.leafHash),
          hashes: proof.hashes.map(toBase64),
        }),
      );
      // A leaf hash outside a scoped grant is not the reader's to see: 404, as if absent.
      authorize(principal, 'proofs.read', {
        type: 'entry',
        id: String(proof.seq),
        source: proof.entry.source,
      });
      return answer;
    },
  );

  app.get<{ Querystring: ConsistencyQuery }>(
    '/api/v1/log/proof/consistency',
    { config: { access: 'proofs.read' }, schema: consistencySchema },
    async (request) => {
      const principal = await ctx.access(request, 'proofs.read');
      const proof = await ctx.log.consistency(request.query.from, request.query.to);
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'audit_log.proof',
        details: { kind: 'consistency', from: proof.from, to: proof.to },
      });
      return { from: proof.from, to: proof.to, hashes: proof.hashes.map(toBase64) };
    },
  );
}
