import { SELF_SOURCE } from '../../../log/self-source.js';
import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { MonitorTables } from './monitor-tables.js';

export interface RuleTextRow {
  file: string;
  text: string;
}

export interface RuleLayerRow {
  layer: string;
  sha256: string;
  file: string;
  /** The seq of the `rules.update` event; null while that event is not in the log. */
  eventSeq: number | null;
  atMs: number;
  by: string;
}

export async function ruleText(q: QueryRunner, sha256: string): Promise<RuleTextRow | undefined> {
  const db = tables<MonitorTables>(q);
  const row = await q.first<Row>(
    db.selectFrom('rule_texts').select(['file', 'text']).where('sha256', '=', sha256),
  );
  return row ? { file: String(row.file), text: String(row.text) } : undefined;
}

/** Stores a text under its hash; a text stored before stays as it was (content-addressed). */
export async function putRuleText(
  q: QueryRunner,
  sha256: string,
  text: RuleTextRow,
  atMs: number,
): Promise<void> {
  const db = tables<MonitorTables>(q);
  await q.run(
    db
      .insertInto('rule_texts')
      .values({ sha256, file: text.file, text: text.text, created_at_ms: atMs })
      .onConflict((oc) => oc.column('sha256').doNothing()),
  );
}

export async function ruleLayers(q: QueryRunner): Promise<RuleLayerRow[]> {
  const db = tables<MonitorTables>(q);
  const rows = await q.all<Row>(
    db
      .selectFrom('rule_layers as l')
      .leftJoin('entries as e', (join) =>
        join.onRef('e.id', '=', 'l.event_id').on('e.source', '=', SELF_SOURCE),
      )
      .selectAll('l')
      .select('e.seq as joined_seq')
      .orderBy('l.layer'),
  );
  return rows.map((r) => {
    const seq = r.joined_seq ?? r.event_seq;
    return {
      layer: String(r.layer),
      sha256: String(r.sha256),
      file: String(r.file),
      eventSeq: seq === null || seq === undefined ? null : int(seq),
      atMs: int(r.at_ms),
      by: String(r.by_id),
    };
  });
}

/**
 * Points `layer` at a text. Run inside the append transaction of its `rules.update` event,
 * so pointers move in the order their events are in the log: the last one written wins.
 */
export async function setRuleLayer(
  q: QueryRunner,
  layer: { layer: string; sha256: string; file: string; eventId: string; atMs: number; by: string },
): Promise<void> {
  const db = tables<MonitorTables>(q);
  const values = {
    sha256: layer.sha256,
    file: layer.file,
    event_id: layer.eventId,
    event_seq: null,
    at_ms: layer.atMs,
    by_id: layer.by,
  };
  await q.run(
    db
      .insertInto('rule_layers')
      .values({ layer: layer.layer, ...values })
      .onConflict((oc) => oc.column('layer').doUpdateSet(values)),
  );
}
