import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isRedactionPolicy, type RedactionPolicy } from '../audit/redaction.js';
import { type GuardrailRule, loadGuardrails, parseRule } from '../guardrails/guardrail-rules.js';
import type { AuditMode } from '../postgres/gateway-deps.js';
import { parseListen } from './listen-address.js';

/** One database a gateway serves: where clients connect, where it goes, and its rules. */
export interface DatabaseConfig {
  /** A name for people (logs, errors); default the upstream's database. */
  name: string;
  host: string;
  port: number;
  upstream: string;
  /** The upstream role's password from this environment variable (not in the file). */
  upstreamPassword?: string;
  mode: AuditMode;
  redaction: RedactionPolicy;
  guardrails: GuardrailRule[];
  tls?: { certFile: string; keyFile: string; require: boolean };
  queueCapacity?: number;
  maxMessageBytes?: number;
}

export interface GatewayConfig {
  /** The Evident server, unless given on the command line. */
  url?: string;
  /** A local credentials file, when credentials do not come from the server. */
  credentials?: string;
  databases: DatabaseConfig[];
}

const TOP_KEYS = new Set(['url', 'credentials', 'databases']);
const DATABASE_KEYS = new Set([
  'name',
  'listen',
  'upstream',
  'password_env',
  'mode',
  'redact',
  'guardrails',
  'tls',
  'queue',
  'max_message_bytes',
]);
const TLS_KEYS = new Set(['cert', 'key', 'require']);

/**
 * Reads `evident gateway --config FILE`: several databases, each with its listen address,
 * upstream, TLS, audit mode, redaction and guardrails. Paths are relative to the file;
 * secrets stay out of it (`password_env` names an environment variable). Any unknown key or
 * bad value stops the gateway with where it is.
 */
export function loadGatewayConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): GatewayConfig {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const top = mapping(doc, file, TOP_KEYS);
  const base = dirname(resolve(file));
  const databases = top.databases;
  if (!Array.isArray(databases) || databases.length === 0)
    throw new Error(`${file}: expected a non-empty list under "databases:"`);
  const parsed = databases.map((d, i) => parseDatabase(d, `${file}: databases[${i}]`, base, env));
  const seen = new Set<string>();
  for (const d of parsed) {
    const at = `${d.host}:${d.port}`;
    if (d.port !== 0 && seen.has(at)) throw new Error(`${file}: two databases listen on ${at}`);
    seen.add(at);
  }
  return {
    ...(top.url === undefined ? {} : { url: text(top.url, `${file}: url`) }),
    ...(top.credentials === undefined
      ? {}
      : { credentials: resolve(base, text(top.credentials, `${file}: credentials`)) }),
    databases: parsed,
  };
}

function parseDatabase(
  value: unknown,
  where: string,
  base: string,
  env: NodeJS.ProcessEnv,
): DatabaseConfig {
  const d = mapping(value, where, DATABASE_KEYS);
  const upstream = text(d.upstream, `${where}.upstream`);
  let database: string;
  try {
    database = new URL(upstream).pathname.slice(1);
  } catch {
    throw new Error(`${where}.upstream: not a URL (postgres://role@host:5432/database)`);
  }
  const name = d.name === undefined ? database : text(d.name, `${where}.name`);
  const { host, port } = parseListen(text(d.listen, `${where}.listen`), `${where}.listen`);
  const mode = d.mode ?? 'observe';
  if (mode !== 'observe' && mode !== 'fail_closed')
    throw new Error(`${where}.mode: observe or fail_closed`);
  const redaction = d.redact ?? 'literals';
  if (typeof redaction !== 'string' || !isRedactionPolicy(redaction))
    throw new Error(`${where}.redact: none, literals or all`);
  const out: DatabaseConfig = {
    name,
    host,
    port,
    upstream,
    mode,
    redaction,
    guardrails: guardrailsOf(d.guardrails, `${where}.guardrails`, base),
  };
  if (d.password_env !== undefined) {
    const variable = text(d.password_env, `${where}.password_env`);
    const password = env[variable];
    if (password === undefined)
      throw new Error(`${where}.password_env: the environment has no ${variable}`);
    out.upstreamPassword = password;
  }
  if (d.tls !== undefined) {
    const t = mapping(d.tls, `${where}.tls`, TLS_KEYS);
    if (t.require !== undefined && typeof t.require !== 'boolean')
      throw new Error(`${where}.tls.require: true or false`);
    out.tls = {
      certFile: resolve(base, text(t.cert, `${where}.tls.cert`)),
      keyFile: resolve(base, text(t.key, `${where}.tls.key`)),
      require: t.require === true,
    };
  }
  if (d.queue !== undefined) out.queueCapacity = positive(d.queue, `${where}.queue`);
  if (d.max_message_bytes !== undefined)
    out.maxMessageBytes = positive(d.max_message_bytes, `${where}.max_message_bytes`);
  return out;
}

function guardrailsOf(value: unknown, where: string, base: string): GuardrailRule[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return loadGuardrails(resolve(base, value));
  if (!Array.isArray(value))
    throw new Error(`${where}: a rules file, or a list of rules as in a guardrails file`);
  return value.map((r, i) => parseRule(r, `${where}[${i}]`));
}

function mapping(value: unknown, where: string, keys: Set<string>): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${where}: expected a mapping`);
  for (const k of Object.keys(value))
    if (!keys.has(k))
      throw new Error(`${where}: unknown key ${k} (known: ${[...keys].join(', ')})`);
  return value as Record<string, unknown>;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${where}: expected text`);
  return value;
}

function positive(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    throw new Error(`${where}: a whole number above 0`);
  return value as number;
}
