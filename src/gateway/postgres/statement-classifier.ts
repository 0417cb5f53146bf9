import { fingerprintSync, loadModule, normalizeSync, parseSync } from 'libpg-query';
import type { RedactionPolicy } from '../audit/redaction.js';
import { type LiteralShape, literalShape } from './literal-shape.js';
import { missingWhere } from './missing-where.js';
import { commandsOf, droppedTables, schemasOf } from './statement-commands.js';

/** What one SQL statement does, as the event's action verb says it (`db.<verb>`). */
export interface ClassifiedStatement {
  /** This statement's text, cut from a multi-statement query string. */
  sql: string;
  verb: string;
  /** Tables named anywhere in the statement, schema-qualified when written so. */
  tables: string[];
  /** What guardrails match besides the verb: drop, create, alter, alter_system, copy_program. */
  commands?: string[];
  /** Schemas the statement names (qualified tables, dropped or created objects, schemas). */
  schemas?: string[];
  /** It contains an UPDATE or DELETE without WHERE (missing-where.ts says which count). */
  missingWhere?: boolean;
  /** The text with its constants replaced by `$n`, when the redaction policy is `literals`. */
  normalized?: string;
  /** libpg-query's fingerprint, when the redaction policy is `all`. */
  fingerprint?: string;
  /** The policy it was read for: its event is redacted by it, even after a reload. */
  redaction?: RedactionPolicy;
}

const MAX_TABLES = 20;
const CACHE_SIZE = 2000;

/** Parse-tree node → verb. Anything else is DDL when its node name says so, else "other". */
const VERBS: Record<string, string> = {
  SelectStmt: 'select',
  InsertStmt: 'insert',
  UpdateStmt: 'update',
  DeleteStmt: 'delete',
  MergeStmt: 'merge',
  TruncateStmt: 'truncate',
  TransactionStmt: 'transaction',
  VariableSetStmt: 'set',
  VariableShowStmt: 'show',
  ExplainStmt: 'explain',
  CallStmt: 'call',
  DoStmt: 'do',
  PrepareStmt: 'prepare',
  ExecuteStmt: 'execute',
  DeallocateStmt: 'deallocate',
  DeclareCursorStmt: 'declare_cursor',
  FetchStmt: 'fetch',
  ClosePortalStmt: 'close_cursor',
  GrantStmt: 'grant',
  GrantRoleStmt: 'grant',
  LockStmt: 'lock',
  VacuumStmt: 'maintenance',
  ListenStmt: 'listen',
  NotifyStmt: 'notify',
};

/**
 * Classifies SQL with PostgreSQL's own parser (libpg-query, compiled to WASM), so comments,
 * quoting, CTEs (`WITH … DELETE`) and multi-statement strings are read as the server reads
 * them. Results are cached by text: prepared statements repeat their text.
 */
export class StatementClassifier {
  private readonly cache = new Map<string, ClassifiedStatement[]>();
  /** `literals`: readings by literal shape, so texts differing only in constants parse once. */
  private readonly shapes = new Map<string, ClassifiedStatement[]>();

  private constructor(private readonly redaction: RedactionPolicy) {}

  /** The redaction policy decides what else is worked out (and cached) per statement. */
  static async load(options: { redaction?: RedactionPolicy } = {}): Promise<StatementClassifier> {
    await loadModule();
    return new StatementClassifier(options.redaction ?? 'none');
  }

  classify(sql: string): ClassifiedStatement[] {
    const hit = this.cache.get(sql);
    if (hit) return hit;
    const shape = this.redaction === 'literals' ? literalShape(sql) : undefined;
    if (shape) {
      const known = this.shapes.get(shape.key);
      if (known) return known;
    }
    const result =
      (this.redaction === 'literals' && this.classifyNormalized(sql, shape)) || this.parse(sql);
    this.remember(sql, result);
    return result;
  }

  /**
   * `literals`: the statements as read from the normalised text (constants → `$n`), whose
   * reading is cached. Texts that differ only in their constants (pgbench's, an ORM's with
   * inlined values) then cost one normalisation, not a parse each. Those are what the log
   * keeps; undefined when the normalised text does not parse (the original is then read).
   */
  private classifyNormalized(
    sql: string,
    shape: LiteralShape | undefined,
  ): ClassifiedStatement[] | undefined {
    if (sql.trim() === '') return undefined;
    let normalized: string;
    try {
      normalized = normalizeSync(sql);
    } catch {
      return undefined;
    }
    let result = this.cache.get(normalized);
    if (!result) {
      result = classifyUncached(normalized);
      if (result.some((st) => st.verb === 'unparsed')) return undefined;
      for (const st of result) if (st.verb !== 'empty') st.normalized = st.sql;
      this.remember(normalized, result);
    }
    // The shape stands for this reading only when normalisation replaced exactly the
    // constants the shape took out (not so for a negative number, or the constants of a
    // utility statement PostgreSQL keeps).
    if (shape && normalized === shape.numbered) {
      if (this.shapes.size >= CACHE_SIZE) this.shapes.delete(this.shapes.keys().next().value!);
      this.shapes.set(shape.key, result);
    }
    return result;
  }

  private parse(sql: string): ClassifiedStatement[] {
    const result = classifyUncached(sql);
    if (this.redaction === 'all')
      for (const st of result) {
        if (st.verb === 'unparsed' || st.verb === 'empty') continue;
        try {
          st.fingerprint = fingerprintSync(st.sql);
        } catch {
          // Left out: the event then carries no text of it (see redactedStatement).
        }
      }
    return result;
  }

  private remember(key: string, result: ClassifiedStatement[]): void {
    for (const st of result) st.redaction = this.redaction;
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, result);
  }
}

interface RawStmt {
  stmt?: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

function classifyUncached(sql: string): ClassifiedStatement[] {
  if (sql.trim() === '') return [{ sql, verb: 'empty', tables: [] }];
  let stmts: RawStmt[];
  try {
    stmts = (parseSync(sql) as { stmts?: RawStmt[] }).stmts ?? [];
  } catch {
    // The server will refuse it too (a syntax error); record the text as one statement.
    return [{ sql, verb: 'unparsed', tables: [] }];
  }
  if (stmts.length === 0) return [{ sql, verb: 'empty', tables: [] }];
  // stmt_location and stmt_len count bytes of the UTF-8 text.
  const bytes = Buffer.from(sql, 'utf8');
  return stmts.map((s) => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length;
    const node = s.stmt ?? {};
    const kind = Object.keys(node)[0] ?? 'Unknown';
    const tables = [...new Set([...tablesIn(node), ...droppedTables(kind, node[kind])])].slice(
      0,
      MAX_TABLES,
    );
    const st: ClassifiedStatement = {
      sql: bytes.toString('utf8', start, end).trim(),
      verb: verbOf(kind, node[kind]),
      tables,
      commands: commandsOf(kind, node[kind]),
      schemas: schemasOf(kind, node[kind], tables),
    };
    if (missingWhere(node)) st.missingWhere = true;
    return st;
  });
}

function verbOf(kind: string, body: unknown): string {
  const b = (body ?? {}) as Record<string, unknown>;
  if (kind === 'CopyStmt') return b.is_from ? 'copy_in' : 'copy_out';
  if (kind === 'SelectStmt' && b.intoClause) return 'ddl';
  const verb = VERBS[kind];
  if (verb) return verb;
  if (
    /^(Create|Alter|Drop|Rename|Comment|Reindex|Refresh|Cluster|Define|Index|View|Rule|Composite|CreateTableAs)/.test(
      kind,
    )
  )
    return 'ddl';
  return 'other';
}

function tablesIn(node: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (found.size >= MAX_TABLES || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
      return;
    }
    const o = v as Record<string, unknown>;
    const range = o.RangeVar as { relname?: string; schemaname?: string } | undefined;
    if (range?.relname)
      found.add(range.schemaname ? `${range.schemaname}.${range.relname}` : range.relname);
    // Statements name their table in a bare `relation` (InsertStmt, CopyStmt, …).
    const rel = o.relation as { relname?: string; schemaname?: string } | undefined;
    if (rel?.relname) found.add(rel.schemaname ? `${rel.schemaname}.${rel.relname}` : rel.relname);
    for (const child of Object.values(o)) walk(child);
  };
  walk(node);
  return [...found];
}
