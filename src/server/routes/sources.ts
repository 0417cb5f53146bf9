import type { FastifyInstance } from 'fastify';
import { SOURCE_PATTERN, sourceNameRefusal } from '../../access/credentials/ingest-keys.js';
import { AppError } from '../../errors.js';
import { SELF_SOURCE } from '../../log/self-source.js';
import { DEFAULT_SOURCE_SETTINGS, parseDurationSetting } from '../../monitor/sources/settings.js';
import type { ServerContext } from '../context.js';
import { sourceJson } from '../presenters/source.js';
import { declareSourceSchema, getSourceSchema, listSourcesSchema } from './sources-schemas.js';

/**
 * Source coverage: which sources are expected, when each was last heard, its rate
 * and clock skew. Reading is scoped like events: a grant over `billing-*` sees those sources
 * only, and any other name is a 404 as if it did not exist.
 */
export function sourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const settings = () => ctx.sourceSettings ?? DEFAULT_SOURCE_SETTINGS;

  app.get(
    '/api/v1/sources',
    { config: { access: 'sources.read' }, schema: listSourcesSchema },
    async (request) => {
      const { scope } = await ctx.accessScoped(request, 'sources.read');
      const sources = await ctx.sources.list(scope);
      const now = ctx.clock.now();
      return { sources: sources.map((s) => sourceJson(s.record, s.stats, now, settings())) };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/sources/:name',
    { config: { access: 'sources.read' }, schema: getSourceSchema },
    async (request) => {
      const { scope } = await ctx.accessScoped(request, 'sources.read');
      const name = sourceName(request.params.name);
      // Outside a scoped grant, the same 404 as a source that does not exist.
      const source = await ctx.sources.get(name, scope);
      return sourceJson(source.record, source.stats, ctx.clock.now(), settings());
    },
  );

  app.put<{ Params: { name: string }; Body: DeclarationBody }>(
    '/api/v1/sources/:name',
    { config: { access: 'sources.manage' }, schema: declareSourceSchema },
    async (request) => {
      const principal = await ctx.access(request, 'sources.manage');
      const name = sourceName(request.params.name);
      // The log's own source may be described; a look-alike (`Evident`, `evident-x`) may not
      // come into being by declaration any more than by an ingest key.
      const refusal = name === SELF_SOURCE ? undefined : sourceNameRefusal(name, 'name');
      if (refusal) throw refusal;
      // No body: declared with the defaults (monitored with the server's default silence).
      const declaration = {
        maxSilenceMs: maxSilence(request.body.expected_max_silence),
        description: request.body.description ?? null,
      };
      const source = await ctx.sources.declare(name, declaration, { principal, ip: request.ip });
      return sourceJson(source.record, source.stats, ctx.clock.now(), settings());
    },
  );
}

/** What the schema lets through (sources-schemas.ts). */
interface DeclarationBody {
  expected_max_silence?: string | null;
  description?: string | null;
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
function maxSilence(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  try {
    return parseDurationSetting(value, '"expected_max_silence"');
  } catch (error) {
    // Only the parser's own refusal is the client's fault; anything else stays a 500.
    if (!(error instanceof AppError)) throw error;
    throw new AppError(error.reason, error.message, { path: 'expected_max_silence' });
  }
}
