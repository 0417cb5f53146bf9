import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { ENGINE_DOC_ID, type EngineDoc } from '../../monitor/engine/engine.js';
import { MONITOR_KIND, RuleStore } from '../../monitor/engine/rule-store.js';
import { compileLayers, LAYERS, type LayerText } from '../../monitor/rules/compile-layers.js';
import { formatProblem, type RuleProblem } from '../../monitor/rules/problems.js';
import type { RuleSet } from '../../monitor/rules/rule-set.js';
import type { ServerContext } from '../context.js';
import { QueryReader } from '../http/query.js';
import { ruleJson } from '../presenters/rule.js';

/** Rule files may be sent as YAML or JSON; JSON goes through the app's raw-text parser. */
const YAML_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
];
/** The API layer's file name in problems: `api:12:7: rules[3].match…`. */
const API_FILE = 'api';

/**
 * Alert rules (docs/rules.md): the built-in pack, the server's rules file and the API
 * layer, merged. PUT replaces the API layer; the change is appended to the log as
 * `rules.update` and applies to the entries after that event.
 */
export function ruleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const rules = new RuleStore(ctx.store, ctx.clock);

  // The YAML parser lives in this plugin's scope only.
  void app.register(async (scoped) => {
    scoped.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    );

    scoped.get('/api/v1/rules', async (request) => {
      await ctx.access(request, 'rules.read');
      new QueryReader(request.query, []);
      const pointers = await rules.pointers();
      const { texts } = await rules.currentTexts();
      const built = compileLayers(texts, false);
      const engineDoc = await ctx.store.getState(MONITOR_KIND, ENGINE_DOC_ID);
      const engine = engineDoc ? (JSON.parse(engineDoc.value) as EngineDoc) : undefined;
      return {
        rules: built.ok ? built.ruleSet.rules.map(ruleJson) : [],
        packs: built.ok ? built.ruleSet.packs : {},
        problems: built.ok ? [] : built.problems.map(problemJson),
        layers: LAYERS.flatMap((layer) => {
          const p = pointers[layer];
          const text = texts.find((t) => t.layer === layer)?.text;
          return p
            ? [
                {
                  layer,
                  file: p.file,
                  sha256: p.sha256,
                  event_seq: p.event_seq,
                  from_seq: p.from_seq,
                  updated_at: new Date(p.at_ms).toISOString(),
                  updated_by: p.by,
                  text: text ?? '',
                },
              ]
            : [];
        }),
        engine: engine
          ? {
              position: engine.position,
              layers: engine.layers,
              saved_at: new Date(engine.saved_at_ms).toISOString(),
            }
          : null,
      };
    });

    scoped.post('/api/v1/rules/validate', async (request) => {
      await ctx.access(request, 'rules.read');
      new QueryReader(request.query, []);
      const result = compileWithApiLayer(await lowerLayers(rules), bodyText(request.body));
      return result.ok
        ? { valid: true, problems: [], rules: result.ruleSet.rules.map(ruleJson) }
        : { valid: false, problems: result.problems.map(problemJson), rules: [] };
    });

    scoped.put('/api/v1/rules', async (request) => {
      const principal = await ctx.access(request, 'rules.manage');
      new QueryReader(request.query, []);
      const text = bodyText(request.body);
      const result = compileWithApiLayer(await lowerLayers(rules), text);
      if (!result.ok) throw problemsError(result.problems);
      const apiRules = result.ruleSet.rules.filter((r) => r.layer === 'api').length;
      const pointer = await rules.record({
        layer: 'api',
        file: API_FILE,
        text,
        ruleCount: apiRules,
        audit: ctx.audit,
        principal,
        ip: request.ip,
      });
      return {
        sha256: pointer.sha256,
        event_seq: pointer.event_seq,
        from_seq: pointer.from_seq,
        active_rules: result.ruleSet.active.length,
        rules: result.ruleSet.rules.map(ruleJson),
      };
    });
  });
}

async function lowerLayers(rules: RuleStore): Promise<LayerText[]> {
  const { texts } = await rules.currentTexts();
  return texts.filter((t) => t.layer !== 'api');
}

function compileWithApiLayer(
  lower: LayerText[],
  text: string,
): { ok: true; ruleSet: RuleSet } | { ok: false; problems: RuleProblem[] } {
  return compileLayers([...lower, { layer: 'api', file: API_FILE, text }], true);
}

function bodyText(body: unknown): string {
  if (typeof body !== 'string' || body.trim() === '') {
    throw new AppError(
      'empty_body',
      'send a rule file as the body (YAML or JSON, e.g. Content-Type: application/yaml); `rules: []` clears the API rules',
    );
  }
  return body;
}

function problemJson(p: RuleProblem): Record<string, unknown> {
  return { line: p.line, col: p.col, path: p.path, message: p.message, text: formatProblem(p) };
}

function problemsError(problems: RuleProblem[]): AppError {
  const shown = problems.slice(0, 20).map(formatProblem);
  if (problems.length > 20) shown.push(`… and ${problems.length - 20} more`);
  return new AppError('invalid_rules', `the rules are invalid:\n${shown.join('\n')}`, {
    path: problems[0]!.path === '' ? '$' : problems[0]!.path,
  });
}
