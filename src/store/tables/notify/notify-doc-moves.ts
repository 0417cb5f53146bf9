import type { Delivery, DeliveryStatus } from '../../../monitor/notify/queue.js';
import type { DocMove, MovedDoc } from '../../doc-move.js';
import { isObject } from '../stored-json.js';
import { deliveryColumns } from './deliveries-table.js';
import { isStoredSettings, SETTINGS_ROW_ID } from './notification-settings-table.js';

/**
 * Migration 8's data step for notifications. Before it, a delivery was a document under one
 * of three kinds and moved between them with two writes (create the new copy, delete the
 * old); the migration's SQL first drops a queued copy whose other copy exists (a move that
 * stopped halfway), so each delivery becomes exactly one row here.
 */
export const NOTIFY_DOC_MOVES: readonly DocMove[] = [
  deliveryMove('notify_queue', 'queued'),
  deliveryMove('notify_delivered', 'delivered'),
  deliveryMove('notify_dead', 'dead'),
  {
    kind: 'notify_settings',
    table: 'notification_settings',
    toRows: (doc) => {
      if (doc.id !== SETTINGS_ROW_ID || !isStoredSettings(doc.value)) {
        throw new Error(`notification settings document "${doc.id}" cannot be read`);
      }
      // Secrets move as stored; any still in clear are sealed at the next start.
      return [
        {
          id: SETTINGS_ROW_ID,
          settings: JSON.stringify(doc.value),
          version: doc.version,
          updated_at_ms: doc.updatedAtMs,
        },
      ];
    },
  },
];

/** SQL run before the moves (both dialects): the queued half of a move left halfway goes. */
export const DROP_HALF_MOVED_DELIVERIES = `
  DELETE FROM state WHERE kind = 'notify_queue'
    AND id IN (SELECT id FROM state WHERE kind IN ('notify_delivered', 'notify_dead'));
`;

function deliveryMove(kind: string, status: DeliveryStatus): DocMove {
  return {
    kind,
    table: 'deliveries',
    toRows: (doc) => {
      const d = deliveryOf(doc);
      // A queued document that records its outcome was finished but not yet moved.
      const state = status === 'queued' ? (d.outcome ?? 'queued') : status;
      const value: Delivery =
        state === 'queued' || d.outcome !== undefined ? d : { ...d, outcome: state };
      return [{ ...deliveryColumns(value, state, doc.version, doc.updatedAtMs) }];
    },
  };
}

function deliveryOf(doc: MovedDoc): Delivery {
  const v = doc.value;
  const ok =
    isObject(v) &&
    v.id === doc.id &&
    typeof v.channelId === 'string' &&
    isObject(v.message) &&
    Number.isSafeInteger(v.createdAtMs) &&
    Number.isSafeInteger(v.attempts) &&
    Number.isSafeInteger(v.nextAttemptAtMs) &&
    Array.isArray(v.history) &&
    (v.outcome === undefined || v.outcome === 'delivered' || v.outcome === 'dead');
  if (!ok) throw new Error(`delivery document "${doc.id}" cannot be read`);
  const d = v as unknown as Delivery;
  return { ...d, replays: d.replays ?? 0 };
}
