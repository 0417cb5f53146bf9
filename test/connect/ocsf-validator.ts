/**
 * Validates an event against the published OCSF schema files vendored in
 * test/vectors/ocsf/1.8.0 (see its README for origin and licence). It does the parts of the
 * OCSF schema compiler that decide validity: `extends` chains and `$include`d profiles are
 * merged, then every attribute must be defined for its class or object, required ones must
 * be present, values must have the dictionary's type, enum ids must be listed, object
 * `at_least_one` / `just_one` constraints must hold, and the class/type uids must agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/processes.js';

export const OCSF_DIR = join(repoRoot, 'test', 'vectors', 'ocsf', '1.8.0');

interface AttrDef {
  /** Set when the attribute comes from a profile: it applies only if the event declares it. */
  profile?: string | null;
  type?: string;
  is_array?: boolean;
  requirement?: string;
  enum?: Record<string, unknown>;
}
interface Definition {
  name: string;
  uid?: number;
  extends?: string;
  category?: string;
  attributes: Record<string, AttrDef | string[]>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
}
interface Compiled {
  attributes: Map<string, AttrDef>;
  constraints: { at_least_one?: string[]; just_one?: string[] };
}

const read = (path: string) => JSON.parse(readFileSync(join(OCSF_DIR, path), 'utf8'));
const dictionary = read('dictionary.json') as {
  attributes: Record<string, AttrDef>;
  types: { attributes: Record<string, { type?: string }> };
};
const categories = read('categories.json').attributes as Record<string, { uid: number }>;

const CLASS_FILES: Record<string, string> = {
  base_event: 'events/base_event.json',
  application: 'events/application/application.json',
  api_activity: 'events/application/api_activity.json',
  datastore_activity: 'events/application/datastore_activity.json',
  iam: 'events/iam/iam.json',
  authentication: 'events/iam/authentication.json',
  account_change: 'events/iam/account_change.json',
  entity_management: 'events/iam/entity_management.json',
};

const objects = new Map<string, Definition>();

import { readdirSync } from 'node:fs';

for (const file of readdirSync(join(OCSF_DIR, 'objects'))) {
  const def = read(`objects/${file}`) as Definition;
  objects.set(def.name, def);
}

function merge(
  into: Map<string, AttrDef>,
  attrs: Definition['attributes'],
  profile?: string,
): void {
  for (const [name, def] of Object.entries(attrs)) {
    if (name === '$include') {
      for (const path of def as string[]) {
        const included = read(path) as Definition;
        merge(into, included.attributes, path.startsWith('profiles/') ? included.name : undefined);
      }
      continue;
    }
    const before = into.get(name) ?? {};
    const mine = def as AttrDef;
    into.set(name, {
      ...before,
      ...(profile ? { profile } : {}),
      ...mine,
      ...(before.enum || mine.enum ? { enum: { ...before.enum, ...mine.enum } } : {}),
    });
  }
}

function compile(def: Definition, lookup: (name: string) => Definition): Compiled {
  const chain: Definition[] = [];
  for (let d: Definition | undefined = def; d; d = d.extends ? lookup(d.extends) : undefined) {
    chain.unshift(d);
  }
  const attributes = new Map<string, AttrDef>();
  let constraints = {};
  for (const d of chain) {
    merge(attributes, d.attributes);
    if (d.constraints) constraints = d.constraints;
  }
  // Attribute types and enums come from the dictionary unless the class narrows them.
  for (const [name, a] of attributes) {
    const dict = dictionary.attributes[name];
    if (!dict) throw new Error(`schema: ${name} is not in the dictionary`);
    attributes.set(name, {
      ...dict,
      ...a,
      ...(dict.enum || a.enum ? { enum: { ...dict.enum, ...a.enum } } : {}),
    });
  }
  return { attributes, constraints };
}

const classDef = (name: string) => read(CLASS_FILES[name] ?? `missing/${name}`) as Definition;
const objectDef = (name: string) => {
  const d = objects.get(name);
  if (!d) throw new Error(`schema: no object ${name}`);
  return d;
};

/** class_uid → class name, for the classes Evident emits. */
export function classByUid(uid: number): string | undefined {
  for (const name of Object.keys(CLASS_FILES)) {
    const def = classDef(name);
    if (def.uid === undefined) continue;
    const category = categoryOf(name);
    if (category !== undefined && categories[category]!.uid * 1000 + def.uid === uid) return name;
  }
  return undefined;
}

function categoryOf(name: string): string | undefined {
  for (
    let d: Definition | undefined = classDef(name);
    d;
    d = d.extends ? classDef(d.extends) : undefined
  ) {
    if (d.category && d.category !== 'other') return d.category;
  }
  return undefined;
}

function baseType(type: string): string {
  let t = type;
  for (let i = 0; i < 5; i++) {
    const next = dictionary.types.attributes[t]?.type;
    if (!next || next === t) break;
    t = next;
  }
  return t;
}

function checkValue(
  value: unknown,
  def: AttrDef,
  path: string,
  problems: string[],
  profiles: readonly string[],
): void {
  const type = def.type ?? 'string_t';
  // The generic `object` type is open: any JSON object (e.g. `unmapped`).
  if (type === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path}: must be an object`);
    }
    return;
  }
  if (objects.has(type)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path}: must be a ${type} object`);
      return;
    }
    checkObject(
      value as Record<string, unknown>,
      compile(objectDef(type), objectDef),
      path,
      problems,
      profiles,
    );
    return;
  }
  const base = baseType(type);
  const ok =
    base === 'string_t'
      ? typeof value === 'string'
      : base === 'integer_t' || base === 'long_t'
        ? Number.isSafeInteger(value)
        : base === 'float_t'
          ? typeof value === 'number'
          : base === 'boolean_t'
            ? typeof value === 'boolean'
            : base === 'json_t'
              ? value !== undefined
              : true;
  if (!ok) problems.push(`${path}: ${JSON.stringify(value)} is not a ${type}`);
  // The uids are checked against the class itself in validateOcsf.
  const derived = ['class_uid', 'category_uid', 'type_uid'].some((n) => path === n);
  if (def.enum && !derived && !Object.hasOwn(def.enum, String(value))) {
    problems.push(
      `${path}: ${JSON.stringify(value)} is not one of ${Object.keys(def.enum).join(', ')}`,
    );
  }
}

function checkObject(
  value: Record<string, unknown>,
  compiled: Compiled,
  path: string,
  problems: string[],
  profiles: readonly string[],
): void {
  const applies = (def: AttrDef) => !def.profile || profiles.includes(def.profile);
  for (const [name, v] of Object.entries(value)) {
    const def = compiled.attributes.get(name);
    const at = path ? `${path}.${name}` : name;
    if (!def) {
      problems.push(`${at}: not an attribute here`);
      continue;
    }
    if (!applies(def)) {
      problems.push(`${at}: belongs to the ${def.profile} profile, not in metadata.profiles`);
      continue;
    }
    if (def.is_array) {
      if (!Array.isArray(v)) problems.push(`${at}: must be an array`);
      else {
        for (const [i, item] of v.entries())
          checkValue(item, def, `${at}[${i}]`, problems, profiles);
      }
    } else checkValue(v, def, at, problems, profiles);
  }
  for (const [name, def] of compiled.attributes) {
    if (def.requirement === 'required' && applies(def) && !(name in value)) {
      problems.push(`${path ? `${path}.` : ''}${name}: required`);
    }
  }
  const { at_least_one, just_one } = compiled.constraints;
  if (at_least_one && !at_least_one.some((n) => n in value)) {
    problems.push(`${path || 'event'}: needs at least one of ${at_least_one.join(', ')}`);
  }
  if (just_one && just_one.filter((n) => n in value).length !== 1) {
    problems.push(`${path || 'event'}: needs exactly one of ${just_one.join(', ')}`);
  }
}

/** Problems found in one OCSF event (empty: valid). */
export function validateOcsf(event: Record<string, unknown>): string[] {
  const uid = event.class_uid;
  const name = typeof uid === 'number' ? classByUid(uid) : undefined;
  if (!name) return [`class_uid ${JSON.stringify(uid)} is not a class this validator knows`];
  const problems: string[] = [];
  const declared = (event.metadata as { profiles?: unknown } | undefined)?.profiles;
  const profiles = Array.isArray(declared) ? declared.map(String) : [];
  checkObject(event, compile(classDef(name), classDef), '', problems, profiles);
  const category = categories[categoryOf(name)!]!.uid;
  if (event.category_uid !== category) problems.push(`category_uid must be ${category}`);
  if (event.type_uid !== (uid as number) * 100 + (event.activity_id as number)) {
    problems.push('type_uid must be class_uid * 100 + activity_id');
  }
  return problems;
}
