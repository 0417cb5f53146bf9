import type { FastifyInstance } from 'fastify';
import { authorize } from '../../access/authorize.js';
import { describeScope, inScope } from '../../access/source-scope.js';
import { toBase64 } from '../../core/bytes.js';
import { currentKey, keyHistoryToJson, type LogKeyPeriod } from '../../core/key-history.js';
import { AppError } from '../../errors.js';
import { cosignedCheckpoint } from '../../log/cosigned-checkpoint.js';
import { META_VERIFIER_KEY } from '../../log/init-log.js';
import { consistencyProof, inclusionProof } from '../../log/proofs.js';
import { readKeyHistory } from '../../log/stored-key-history.js';
import type { LogHead } from '../../store/store.js';
import type { ServerContext } from '../context.js';
import { QueryReader } from '../http/query.js';
import { entryListJson } from '../presenters/entry.js';

export const ENTRIES_PAGE_MAX = 1000;

export function logRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const currentHead = async (): Promise<LogHead> => {
    const head = await ctx.store.head();
    if (!head) throw new AppError('log_not_initialised', 'the log is not initialised');
    return head;
  };

  app.get('/api/v1/log', async (request) => {
    await ctx.access(request, 'log.read');
    new QueryReader(request.query, []);
    const head = await currentHead();
    return {
      origin: ctx.origin,
      // From the store, not this process: another process may have rotated the key.
      verifier_key: (await ctx.store.getMeta(META_VERIFIER_KEY)) ?? ctx.verifierKey,
      tree_size: head.size,
      root_hash: toBase64(head.rootHash),
      checkpoint: await cosignedCheckpoint(ctx.store, head.checkpoint),
    };
  });

  app.get('/api/v1/log/checkpoint', async (request, reply) => {
    await ctx.access(request, 'log.read');
    new QueryReader(request.query, []);
    const head = await currentHead();
    return reply
      .type('text/plain; charset=utf-8')
      .send(await cosignedCheckpoint(ctx.store, head.checkpoint));
  });

  // Public: verifier keys are public material, and a verifier needs them before it trusts
  // anything else the server says. Each later key comes with its handover checkpoint, signed
  // by it and by the key before, so a verifier can chain from a key it pinned long ago.
  app.get('/api/v1/log/keys', async (request) => {
    new QueryReader(request.query, []);
    let history: LogKeyPeriod[];
    try {
      history = await readKeyHistory(ctx.store);
    } catch (cause) {
      throw new AppError(
        'store_inconsistent',
        'the stored key history is unreadable; run `evident verify`',
        {
          cause,
        },
      );
    }
    const keys = await Promise.all(
      keyHistoryToJson(history).map(async (key, i) => ({
        ...key,
        handover_checkpoint:
          i === 0 ? null : ((await ctx.store.checkpoint(key.from_size))?.note ?? null),
      })),
    );
    return { origin: ctx.origin, current: currentKey(history).verifierKey, keys };
  });

  app.get('/api/v1/log/entries', async (request, reply) => {
    // Raw pages show every source: only an unscoped grant may read them (log.entries).
    const principal = await ctx.access(request, 'log.entries');
    const q = new QueryReader(request.query, ['start', 'end']);
    const start = q.integer('start');
    if (start === undefined)
      throw new AppError('invalid_query', 'query parameter "start" is required', { path: 'start' });
    const head = await currentHead();
    const requestedEnd = q.integer('end', { min: 1 });
    if (requestedEnd !== undefined && requestedEnd <= start) {
      throw new AppError('invalid_query', 'query parameter "end" must be greater than "start"', {
        path: 'end',
      });
    }
    if (start > head.size) {
      throw new AppError(
        'invalid_query',
        `query parameter "start" is past the tree size ${head.size}`,
        { path: 'start' },
      );
    }
    // Pages are bounded; next_start says where the following page begins.
    const end = Math.min(requestedEnd ?? head.size, head.size, start + ENTRIES_PAGE_MAX);
    const entries = end > start ? await ctx.store.entries(start, end) : [];
    const limit = Math.min(requestedEnd ?? head.size, head.size);
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'audit_log.export',
      details: { start, end, returned: entries.length },
    });
    return reply
      .type('application/json; charset=utf-8')
      .send(entryListJson(entries, { next_start: end < limit ? end : null }, ctx.sourceSettings));
  });

  app.get('/api/v1/log/proof/inclusion', async (request) => {
    const { principal, scope } = await ctx.accessScoped(request, 'proofs.read');
    const q = new QueryReader(request.query, ['seq', 'tree_size']);
    const seq = q.integer('seq');
    if (seq === undefined)
      throw new AppError('invalid_query', 'query parameter "seq" is required', { path: 'seq' });
    const head = await currentHead();
    const treeSize = q.integer('tree_size', { min: 1 }) ?? head.size;
    if (treeSize > head.size) {
      throw new AppError(
        'invalid_query',
        `tree_size ${treeSize} is past the log's size ${head.size}`,
        { path: 'tree_size' },
      );
    }
    if (seq >= treeSize) {
      throw new AppError('invalid_query', `seq ${seq} is not in a tree of size ${treeSize}`, {
        path: 'seq',
      });
    }
    const [entry, hashes] = await Promise.all([
      ctx.store.entryBySeq(seq),
      inclusionProof(ctx.store, seq, treeSize),
    ]);
    if (!entry)
      throw new AppError('store_inconsistent', `entry ${seq} is missing; run \`evident verify\``);
    const outside = !inScope(scope, entry.source);
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'audit_log.proof',
      ...(outside ? { outcome: 'denied', reason: "outside the reader's sources" } : {}),
      details: { kind: 'inclusion', seq, tree_size: treeSize, scope: describeScope(scope) },
    });
    // A leaf hash outside a scoped grant is not the reader's to see: 404, as if absent.
    authorize(principal, 'proofs.read', { type: 'entry', id: String(seq), source: entry.source });
    return {
      seq,
      tree_size: treeSize,
      leaf_hash: toBase64(entry.leafHash),
      hashes: hashes.map(toBase64),
    };
  });

  app.get('/api/v1/log/proof/consistency', async (request) => {
    const principal = await ctx.access(request, 'proofs.read');
    const q = new QueryReader(request.query, ['from', 'to']);
    // RFC 9162 defines consistency from a non-empty tree: every tree extends the empty one.
    const from = q.integer('from', { min: 1 });
    if (from === undefined)
      throw new AppError('invalid_query', 'query parameter "from" is required', { path: 'from' });
    const head = await currentHead();
    const to = q.integer('to', { min: 1 }) ?? head.size;
    if (to > head.size) {
      throw new AppError('invalid_query', `"to" ${to} is past the log's size ${head.size}`, {
        path: 'to',
      });
    }
    if (from > to)
      throw new AppError('invalid_query', '"from" must not be greater than "to"', { path: 'from' });
    const hashes = await consistencyProof(ctx.store, from, to);
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'audit_log.proof',
      details: { kind: 'consistency', from, to },
    });
    return { from, to, hashes: hashes.map(toBase64) };
  });
}
