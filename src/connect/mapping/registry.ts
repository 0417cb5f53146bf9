import { parse as parseYaml, stringify } from 'yaml';
import type { LineMapper } from '../log-line.js';
import { BUILTIN_MAPPERS } from '../maps/builtin.js';
import { BUILTIN_MAPPINGS, type JsonMapping, LINE_FIELDS } from './json-mapping.js';
import { LineRulesError, parseLineRules } from './line-rules.js';

/** The mapping that reads PostgreSQL csvlog text instead of JSON. */
export const CSVLOG_MAPPING = 'postgres-csvlog';

export interface NamedMapping {
  json: JsonMapping | undefined;
  /** Configured rules first, then the built-in maps. */
  mappers: readonly LineMapper[];
  dedupe: boolean;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KEYS = ['base', 'fields', 'dedupe', 'rules'];

/** Built-in mappings plus those of a mappings file (`serve --mappings`, docs/connect.md). */
export class MappingRegistry {
  private readonly byName = new Map<string, NamedMapping>();

  constructor(configured: Map<string, NamedMapping> = new Map()) {
    for (const [name, json] of Object.entries(BUILTIN_MAPPINGS)) {
      this.byName.set(name, { json, mappers: BUILTIN_MAPPERS, dedupe: json.dedupe });
    }
    this.byName.set(CSVLOG_MAPPING, { json: undefined, mappers: BUILTIN_MAPPERS, dedupe: false });
    for (const [name, m] of configured) this.byName.set(name, m);
  }

  get(name: string): NamedMapping | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

/**
 * Parses a mappings file:
 *   mappings:
 *     NAME: { base: vector, fields: { message: msg, time: ts }, dedupe: true, rules: [...] }
 * `fields` names the record keys for time, host, app, procid, msgid, message, facility,
 * severity and pri (a key or a list to try in order); `rules` are line rules (docs/connect.md).
 */
export function parseMappingsFile(text: string, fileName: string): MappingRegistry {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new LineRulesError(`${fileName}: not valid YAML: ${(error as Error).message}`);
  }
  const list = isObject(doc) ? doc.mappings : undefined;
  if (!isObject(list))
    throw new LineRulesError(`${fileName}: expected "mappings:" with one entry per mapping name`);
  const configured = new Map<string, NamedMapping>();
  for (const [name, raw] of Object.entries(list)) {
    const where = `${fileName}: mappings.${name}`;
    if (!NAME.test(name) || name === CSVLOG_MAPPING) {
      throw new LineRulesError(
        `${where}: a name is 1–64 of a-z, 0-9, "-", "_" (and not ${CSVLOG_MAPPING})`,
      );
    }
    if (!isObject(raw))
      throw new LineRulesError(`${where}: must be a mapping with fields, base, dedupe or rules`);
    for (const key of Object.keys(raw)) {
      if (!KEYS.includes(key))
        throw new LineRulesError(`${where}: unknown key "${key}"; expected ${KEYS.join(', ')}`);
    }
    let base: JsonMapping = {
      name,
      time: [],
      host: [],
      app: [],
      procid: [],
      msgid: [],
      message: [],
      facility: [],
      severity: [],
      pri: [],
      dedupe: false,
    };
    if (raw.base !== undefined) {
      const b = typeof raw.base === 'string' ? BUILTIN_MAPPINGS[raw.base] : undefined;
      if (!b)
        throw new LineRulesError(
          `${where}.base: one of ${Object.keys(BUILTIN_MAPPINGS).join(', ')}`,
        );
      base = { ...b, name };
    }
    const fields = raw.fields ?? {};
    if (!isObject(fields)) throw new LineRulesError(`${where}.fields: must be a mapping`);
    for (const [field, keys] of Object.entries(fields)) {
      if (!(LINE_FIELDS as readonly string[]).includes(field)) {
        throw new LineRulesError(
          `${where}.fields: unknown field "${field}"; expected ${LINE_FIELDS.join(', ')}`,
        );
      }
      const list = typeof keys === 'string' ? [keys] : keys;
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        !list.every((k) => typeof k === 'string' && k !== '')
      ) {
        throw new LineRulesError(`${where}.fields.${field}: a record key or a list of keys`);
      }
      base[field as (typeof LINE_FIELDS)[number]] = list as string[];
    }
    if (base.message.length === 0)
      throw new LineRulesError(`${where}.fields.message: required (or a base)`);
    if (raw.dedupe !== undefined && typeof raw.dedupe !== 'boolean')
      throw new LineRulesError(`${where}.dedupe: true or false`);
    const dedupe = raw.dedupe === true;
    const mappers: LineMapper[] = [...BUILTIN_MAPPERS];
    if (raw.rules !== undefined)
      mappers.unshift(parseLineRules(stringify({ rules: raw.rules }), `${where}`));
    configured.set(name, { json: { ...base, dedupe }, mappers, dedupe });
  }
  return new MappingRegistry(configured);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
