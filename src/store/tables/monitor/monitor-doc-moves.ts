import type { DocMove, MovedDoc } from '../../doc-move.js';

/** The monitor's state kinds before migration 7 (src/monitor/engine/ names them no more). */
const MONITOR_KIND = 'monitor';
const RULE_TEXT_KIND = 'monitor-rules';

/**
 * Migration 7's data step for the monitor: the engine document, the lease and the layer
 * pointers (all kind `monitor`, told apart by id) and the rule texts become rows.
 */
export const MONITOR_DOC_MOVES: readonly DocMove[] = [
  {
    kind: RULE_TEXT_KIND,
    table: 'rule_texts',
    toRows: (d) => {
      const v = object(d);
      if (typeof v.file !== 'string' || typeof v.text !== 'string') {
        throw new Error(`state document ${RULE_TEXT_KIND}/${d.id} is not a rule text`);
      }
      return [{ sha256: d.id, file: v.file, text: v.text, created_at_ms: d.updatedAtMs }];
    },
  },
  {
    kind: MONITOR_KIND,
    table: 'engine_position',
    toRows: (d) => {
      if (d.id !== 'engine') return [];
      const v = object(d);
      if (!Number.isSafeInteger(v.position) || !isObject(v.layers) || !isObject(v.evaluator)) {
        throw new Error('state document monitor/engine is not an engine position');
      }
      return [
        {
          id: 'engine',
          position: v.position,
          layers_json: JSON.stringify(v.layers),
          evaluator_json: JSON.stringify(v.evaluator),
          saved_at_ms: Number.isSafeInteger(v.saved_at_ms) ? v.saved_at_ms : d.updatedAtMs,
          version: d.version,
        },
      ];
    },
  },
  {
    kind: MONITOR_KIND,
    table: 'engine_lease',
    toRows: (d) => {
      if (d.id !== 'lease') return [];
      const v = object(d);
      if (typeof v.holder !== 'string' || !Number.isSafeInteger(v.expiresAtMs)) {
        throw new Error('state document monitor/lease is not a lease');
      }
      return [{ id: 'lease', holder: v.holder, expires_at_ms: v.expiresAtMs, version: d.version }];
    },
  },
  {
    kind: MONITOR_KIND,
    table: 'rule_layers',
    toRows: (d) => {
      if (!d.id.startsWith('layer.')) return [];
      const v = object(d);
      if (
        typeof v.sha256 !== 'string' ||
        typeof v.file !== 'string' ||
        !Number.isSafeInteger(v.event_seq) ||
        !Number.isSafeInteger(v.at_ms) ||
        typeof v.by !== 'string'
      ) {
        throw new Error(`state document monitor/${d.id} is not a rule layer pointer`);
      }
      return [
        {
          layer: d.id.slice('layer.'.length),
          sha256: v.sha256,
          file: v.file,
          event_id: null,
          event_seq: v.event_seq,
          at_ms: v.at_ms,
          by_id: v.by,
        },
      ];
    },
  },
];

function object(d: MovedDoc): Record<string, unknown> {
  if (!isObject(d.value)) throw new Error(`state document ${d.id} is not a JSON object`);
  return d.value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
