import type { FastifyInstance } from 'fastify';
import { SOURCE_PATTERN, sourceNameRefusal } from '../../access/ingest-keys.js';
import { inScope } from '../../access/source-scope.js';
import { AppError } from '../../errors.js';
import { SELF_SOURCE } from '../../log/self-source.js';
import { formatDuration } from '../../monitor/sources/duration.js';
import { DEFAULT_SOURCE_SETTINGS, parseDurationSetting } from '../../monitor/sources/settings.js';
import { SourceRegistry } from '../../monitor/sources/source-registry.js';
import { StatsDocuments } from '../../monitor/sources/stats-documents.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { QueryReader } from '../http/query.js';
import { sourceJson } from '../presenters/source.js';

const MAX_DESCRIPTION = 1024;

/**
 * Source coverage: which sources are expected, when each was last heard, its rate
 * and clock skew. Reading is scoped like events: a grant over `billing-*` sees those sources
 * only, and any other name is a 404 as if it did not exist.
 */
export function sourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const registry = new SourceRegistry(ctx.store);
  const stats = new StatsDocuments(ctx.store);
  const settings = () => ctx.sourceSettings ?? DEFAULT_SOURCE_SETTINGS;

  app.get('/api/v1/sources', async (request) => {
    const { scope } = await ctx.accessScoped(request, 'sources.read');
    new QueryReader(request.query, []);
    const [records, all] = await Promise.all([registry.list(), stats.all()]);
    const now = ctx.clock.now();
    return {
      sources: records
        .filter((r) => inScope(scope, r.name))
        .map((r) => sourceJson(r, all.get(r.name), now, settings())),
    };
  });

  app.get<{ Params: { name: string } }>('/api/v1/sources/:name', async (request) => {
    const { scope } = await ctx.accessScoped(request, 'sources.read');
    const name = sourceName(request.params.name);
    new QueryReader(request.query, []);
    // Outside a scoped grant, the same 404 as a source that does not exist.
    const record = inScope(scope, name) ? await registry.get(name) : undefined;
    if (!record) throw new AppError('not_found', `no source ${name}`);
    return sourceJson(record, await stats.get(name), ctx.clock.now(), settings());
  });

  app.put<{ Params: { name: string } }>('/api/v1/sources/:name', async (request) => {
    const principal = await ctx.access(request, 'sources.manage');
    const name = sourceName(request.params.name);
    // The log's own source may be described; a look-alike (`Evident`, `evident-x`) may not
    // come into being by declaration any more than by an ingest key.
    const refusal = name === SELF_SOURCE ? undefined : sourceNameRefusal(name, 'name');
    if (refusal) throw refusal;
    // No body: declare with the defaults (monitored with the server's default silence).
    const body = jsonObjectBody(request.body, ['expected_max_silence', 'description'], {
      optional: true,
    });
    const declaration = {
      maxSilenceMs: maxSilence(body.expected_max_silence),
      description: description(body.description),
    };
    const now = ctx.clock.now();
    const { record, previous } = await registry.declare(name, declaration, principal.id, now);
    const shown = (ms: number | null | undefined) =>
      ms === undefined ? 'default' : ms === null ? null : formatDuration(ms);
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'source.update',
      category: 'config',
      target: { type: 'source', id: name },
      details: {
        created: previous === undefined,
        expected_max_silence: shown(declaration.maxSilenceMs),
        ...(previous ? { previous_max_silence: shown(previous.maxSilenceMs) } : {}),
      },
    });
    return sourceJson(record, await stats.get(name), now, settings());
  });
}

function sourceName(name: string): string {
  if (!SOURCE_PATTERN.test(name)) {
    throw new AppError(
      'invalid_source_name',
      `source name "${name.slice(0, 140)}" must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { path: 'name' },
    );
  }
  return name;
}

/** `"15m"`, null (not monitored) or absent (the server's default). */
function maxSilence(value: unknown): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string') {
    throw new AppError(
      'invalid_field',
      '"expected_max_silence" must be a duration like "15m" or "1h30m", or null for not monitored',
      { path: 'expected_max_silence' },
    );
  }
  try {
    return parseDurationSetting(value, '"expected_max_silence"');
  } catch (error) {
    // Only the parser's own refusal is the client's fault; anything else stays a 500.
    if (!(error instanceof AppError)) throw error;
    throw new AppError(error.reason, error.message, { path: 'expected_max_silence' });
  }
}

function description(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_DESCRIPTION) {
    throw new AppError(
      'invalid_field',
      `"description" must be a string of at most ${MAX_DESCRIPTION} characters, or null`,
      { path: 'description' },
    );
  }
  return value;
}
