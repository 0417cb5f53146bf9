import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import { parseDuration } from './duration.js';
import { childPath, type RuleProblem } from './problems.js';

/** Where problems go while one file is read. */
export interface ReadContext {
  file: string;
  lines: LineCounter;
  problems: RuleProblem[];
}

/** Refuse giant inputs before parsing: rule files are small hand-written text. */
export const MAX_RULE_FILE_BYTES = 1024 * 1024;

/**
 * Parses YAML (JSON is YAML too) into a positioned root value. Syntax errors, duplicate
 * keys and aliases become problems with line and column; the caller reads on and collects
 * more unless the text could not be parsed at all.
 */
export function readYaml(text: string, file: string): { root: YamlValue; ctx: ReadContext } {
  const lines = new LineCounter();
  const ctx: ReadContext = { file, lines, problems: [] };
  if (Buffer.byteLength(text, 'utf8') > MAX_RULE_FILE_BYTES) {
    ctx.problems.push({
      file,
      line: 0,
      col: 0,
      path: '',
      message: `the rule file is larger than ${MAX_RULE_FILE_BYTES} bytes; split it or remove unused rules`,
    });
    return { root: new YamlValue(null, '', ctx), ctx };
  }
  // uniqueKeys: a repeated key would silently drop the first definition.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  for (const error of doc.errors) {
    const pos = lines.linePos(error.pos[0]);
    ctx.problems.push({
      file,
      line: pos.line,
      col: pos.col,
      path: '',
      message: `YAML: ${error.message.split('\n')[0]}`,
    });
  }
  return { root: new YamlValue(doc.contents as Node | null, '', ctx), ctx };
}

/**
 * One node of the document with its JSON-path-like location. Readers return undefined and
 * record a problem when the value has the wrong shape, so validation continues past it.
 */
export class YamlValue {
  constructor(
    readonly node: Node | null,
    readonly path: string,
    private readonly ctx: ReadContext,
  ) {}

  get file(): string {
    return this.ctx.file;
  }

  problem(message: string, at: Node | null = this.node): undefined {
    const offset = at?.range?.[0];
    const pos = offset === undefined ? { line: 0, col: 0 } : this.ctx.lines.linePos(offset);
    this.ctx.problems.push({
      file: this.ctx.file,
      line: pos.line,
      col: pos.col,
      path: this.path,
      message,
    });
    return undefined;
  }

  /** Where this value was written, for problems found after parsing (merging layers). */
  loc(): Omit<RuleProblem, 'message'> {
    const offset = this.node?.range?.[0];
    const pos = offset === undefined ? { line: 0, col: 0 } : this.ctx.lines.linePos(offset);
    return { file: this.ctx.file, line: pos.line, col: pos.col, path: this.path };
  }

  /** `file:line:col` of this value, for messages that point elsewhere ("first defined at"). */
  where(): string {
    const { file, line, col } = this.loc();
    return line === 0 ? file : `${file}:${line}:${col}`;
  }

  isMap(): boolean {
    return isMap(this.node);
  }

  isSeq(): boolean {
    return isSeq(this.node);
  }

  isNull(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  /** The raw scalar value (string, number, boolean, null), or undefined for collections. */
  scalar(): unknown {
    if (isAlias(this.node)) return this.problem('YAML aliases (*name) are not supported here');
    return isScalar(this.node) ? this.node.value : undefined;
  }

  /**
   * A mapping's entries by key. With `allowed`, unknown keys are problems with a
   * suggestion; `required` keys that are absent are problems too.
   */
  entries(
    what: string,
    allowed?: readonly string[],
    required: readonly string[] = [],
  ): Map<string, YamlValue> | undefined {
    if (isAlias(this.node)) return this.problem('YAML aliases (*name) are not supported here');
    if (!isMap(this.node)) return this.problem(`${what} must be a mapping (key: value lines)`);
    const out = new Map<string, YamlValue>();
    for (const pair of this.node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string' && typeof key !== 'number') {
        this.problem('keys must be plain text', keyNode);
        continue;
      }
      const name = String(key);
      const value = new YamlValue(pair.value as Node | null, childPath(this.path, name), this.ctx);
      if (allowed && !allowed.includes(name)) {
        value.problem(
          `unknown key "${name}" in ${what}${didYouMean(name, allowed)}; allowed: ${allowed.join(', ')}`,
          keyNode,
        );
        continue;
      }
      out.set(name, value);
    }
    for (const key of required) {
      if (!out.has(key) && !this.hasKey(key)) this.problem(`${what} needs "${key}"`);
    }
    return out;
  }

  private hasKey(key: string): boolean {
    return isMap(this.node) && this.node.items.some((p) => isScalar(p.key) && p.key.value === key);
  }

  items(what: string): YamlValue[] | undefined {
    if (isAlias(this.node)) return this.problem('YAML aliases (*name) are not supported here');
    if (!isSeq(this.node)) return this.problem(`${what} must be a list (lines starting with "- ")`);
    return this.node.items.map(
      (item, i) => new YamlValue(item as Node | null, childPath(this.path, i), this.ctx),
    );
  }

  string(what: string, options: { pattern?: RegExp; hint?: string; maxLength?: number } = {}) {
    const v = this.scalar();
    if (typeof v !== 'string') return this.problem(`${what} must be text`);
    if (v.length === 0) return this.problem(`${what} must not be empty`);
    if (options.maxLength !== undefined && v.length > options.maxLength) {
      return this.problem(`${what} is longer than ${options.maxLength} characters`);
    }
    if (options.pattern && !options.pattern.test(v)) {
      return this.problem(`${what} "${v}" is malformed${options.hint ? `; ${options.hint}` : ''}`);
    }
    return v;
  }

  oneOf<T extends string>(what: string, values: readonly T[]): T | undefined {
    const v = this.scalar();
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const shown = typeof v === 'string' ? `"${v}"` : String(v);
    return this.problem(
      `${what} ${shown} is not one of ${values.join(', ')}${typeof v === 'string' ? didYouMean(v, values) : ''}`,
    );
  }

  boolean(what: string): boolean | undefined {
    const v = this.scalar();
    return typeof v === 'boolean' ? v : this.problem(`${what} must be true or false`);
  }

  number(what: string): number | undefined {
    const v = this.scalar();
    return typeof v === 'number' && Number.isFinite(v)
      ? v
      : this.problem(`${what} must be a number`);
  }

  integer(what: string, min: number, max: number): number | undefined {
    const v = this.scalar();
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return this.problem(`${what} must be a whole number from ${min} to ${max}`);
    }
    return v;
  }

  /** `10m`, `1h30m`, `7d`, within [minMs, maxMs]. */
  duration(what: string, minMs: number, maxMs: number, limitText: string): number | undefined {
    const v = this.scalar();
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms === undefined) {
      return this.problem(
        `${what} must be a duration like 30s, 10m, 1h30m or 7d (got ${JSON.stringify(v)})`,
      );
    }
    if (ms < minMs || ms > maxMs) return this.problem(`${what} must be ${limitText}`);
    return ms;
  }

  /** One string or a list of them (the `in` and `prefix` forms accept both). */
  strings(what: string, maxItems: number): string[] | undefined {
    if (!this.isSeq()) {
      const one = this.string(what);
      return one === undefined ? undefined : [one];
    }
    const items = this.items(what) ?? [];
    if (items.length === 0) return this.problem(`${what} must not be an empty list`);
    if (items.length > maxItems) return this.problem(`${what} has more than ${maxItems} items`);
    const out: string[] = [];
    for (const item of items) {
      const s = item.string(what);
      if (s !== undefined) out.push(s);
    }
    return out.length === items.length ? out : undefined;
  }

  /** Plain JavaScript value of this node (for presenting a rule's definition). */
  toJS(): unknown {
    if (this.node === null) return null;
    return (this.node as { toJSON(): unknown }).toJSON();
  }
}
