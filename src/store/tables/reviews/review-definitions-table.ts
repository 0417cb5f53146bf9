import type { Selectable } from 'kysely';
import type { Cadence } from '../../../review/cadence.js';
import type { ReviewDefinition, ReviewKind } from '../../../review/review-types.js';
import { int } from '../../rows.js';
import { forUpdate, type QueryRunner, tables } from '../../sql/query-runner.js';
import { isObject, storedJson } from '../stored-json.js';
import type { ReviewDefinitionsTable, ReviewTables } from './reviews-tables.js';

const db = (q: QueryRunner) => tables<ReviewTables>(q);

const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

export async function definitionById(
  q: QueryRunner,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ReviewDefinition | undefined> {
  const query = db(q).selectFrom('review_definitions').selectAll().where('id', '=', id);
  const row = await q.first(options.lock ? forUpdate(q, query) : query);
  return row && toDefinition(row);
}

export async function definitionByName(
  q: QueryRunner,
  name: string,
): Promise<ReviewDefinition | undefined> {
  const row = await q.first(
    db(q).selectFrom('review_definitions').selectAll().where('name', '=', name),
  );
  return row && toDefinition(row);
}

/** Every definition by name (a handful per organisation). */
export async function allDefinitions(q: QueryRunner): Promise<ReviewDefinition[]> {
  const rows = await q.all(db(q).selectFrom('review_definitions').selectAll().orderBy('name'));
  return rows.map(toDefinition);
}

export async function insertDefinition(q: QueryRunner, d: ReviewDefinition): Promise<void> {
  await q.run(db(q).insertInto('review_definitions').values(definitionColumns(d)));
}

/** Replaces the definition at `d.version - 1`; false when someone else wrote first. */
export async function replaceDefinition(q: QueryRunner, d: ReviewDefinition): Promise<boolean> {
  const { id: _id, ...columns } = definitionColumns(d);
  const changed = await q.run(
    db(q)
      .updateTable('review_definitions')
      .set(columns)
      .where('id', '=', d.id)
      .where('version', '=', d.version - 1),
  );
  return changed === 1;
}

function definitionColumns(d: ReviewDefinition): ReviewDefinitionsTable {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    cadence: d.cadence,
    time_zone: d.timeZone,
    sources: JSON.stringify(d.sources),
    filter: JSON.stringify(d.filter),
    reviewers: JSON.stringify(d.reviewers),
    due_days: d.dueDays,
    countersign: d.countersign ? 1 : 0,
    created_at_ms: d.createdAtMs,
    created_by: d.createdBy,
    updated_at_ms: d.updatedAtMs,
    updated_by: d.updatedBy,
    version: d.version,
  };
}

function toDefinition(row: Selectable<ReviewDefinitionsTable>): ReviewDefinition {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ReviewKind,
    cadence: row.cadence as Cadence,
    timeZone: row.time_zone,
    sources: storedJson(row.sources, isStringList, `review definition ${row.id} sources`),
    filter: storedJson(row.filter, isObject, `review definition ${row.id} filter`),
    reviewers: storedJson(row.reviewers, isStringList, `review definition ${row.id} reviewers`),
    dueDays: int(row.due_days),
    countersign: int(row.countersign) === 1,
    createdAtMs: int(row.created_at_ms),
    createdBy: row.created_by,
    updatedAtMs: int(row.updated_at_ms),
    updatedBy: row.updated_by,
    version: int(row.version),
  };
}
