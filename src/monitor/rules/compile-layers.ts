import { createHash } from 'node:crypto';
import { parseRules } from './parse-rules.js';
import type { RuleProblem } from './problems.js';
import { type BuildResult, buildRuleSet, type RuleLayer } from './rule-set.js';

/** The layers of the active rules, lowest first. */
export const LAYERS = ['pack', 'file', 'api'] as const;
export type LayerName = (typeof LAYERS)[number];

/** The built-in pack every `pack` layer text is (docs/rules.md). */
export const DEFAULT_PACK = 'iso27001';

/** One version of one layer: the text as written, named by its SHA-256. */
export interface LayerText {
  layer: LayerName;
  /** For problems: `iso27001.yaml`, the rules file's path, `api`. */
  file: string;
  text: string;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Parses each layer's text (YAML) into its rule file, lowest layer first; problems from every
 * layer. The rule engine's thread takes the parsed files, so it never loads the YAML parser.
 */
export function parseLayerTexts(
  layers: readonly LayerText[],
): { ok: true; parsed: RuleLayer[] } | { ok: false; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const parsed: RuleLayer[] = [];
  for (const l of [...layers].sort((a, b) => LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer))) {
    const result = parseRules(l.text, l.file);
    if (!result.ok) problems.push(...result.problems);
    else {
      parsed.push({
        name: l.layer,
        file: result.file,
        ...(l.layer === 'pack' ? { pack: DEFAULT_PACK } : {}),
      });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, parsed };
}

/** Parses each layer and merges them (see buildRuleSet); problems from every layer. */
export function compileLayers(layers: readonly LayerText[], strict = true): BuildResult {
  const parsed = parseLayerTexts(layers);
  if (!parsed.ok) return parsed;
  return buildRuleSet(parsed.parsed, strict);
}
