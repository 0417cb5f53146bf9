import { toBase64 } from '../../core/bytes.js';
import type { LogItem } from '../../review/review-service.js';
import type { ReviewDefinition, ReviewNote, ReviewOccurrence } from '../../review/review-types.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function definitionJson(d: ReviewDefinition) {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    cadence: d.cadence,
    time_zone: d.timeZone,
    sources: d.sources,
    filter: d.filter,
    reviewers: d.reviewers,
    due_days: d.dueDays,
    countersign: d.countersign,
    version: d.version,
    created_at: iso(d.createdAtMs),
    created_by: d.createdBy,
    updated_at: iso(d.updatedAtMs),
    updated_by: d.updatedBy,
  };
}

/** An occurrence; `overdue` and `late` are judged at `nowMs` (overdue: not signed, past due). */
export function occurrenceJson(o: ReviewOccurrence, nowMs: number) {
  const d = o.definition;
  return {
    id: o.id,
    definition_id: o.definitionId,
    name: d.name,
    kind: d.kind,
    cadence: d.cadence,
    time_zone: d.timeZone,
    sources: d.sources,
    reviewers: d.reviewers,
    definition_version: d.version,
    period_start: iso(o.periodStartMs),
    period_end: iso(o.periodEndMs),
    due_at: iso(o.dueAtMs),
    status: o.status,
    overdue: o.status !== 'signed_off' && nowMs > o.dueAtMs,
    late: o.signOff !== null && o.signOff.atMs > o.dueAtMs,
    pin: o.pin && {
      started_at: iso(o.pin.startedAtMs),
      started_by: o.pin.startedBy,
      tree_size: o.pin.treeSize,
      root_hash: o.pin.rootHash,
      checkpoint: o.pin.checkpoint,
      items_sha256: o.pin.itemsSha256,
      item_count: o.pin.itemCount,
      snapshot_sha256: o.pin.snapshotSha256,
    },
    sign_off: o.signOff && {
      at: iso(o.signOff.atMs),
      by: o.signOff.by,
      event_id: o.signOff.eventId,
      decision: o.signOff.decision,
      notes: o.signOff.notes,
    },
    countersign_required: d.countersign,
    countersign: o.countersign && { at: iso(o.countersign.atMs), by: o.countersign.by },
    overdue_alert_id: o.overdueAlertId,
  };
}

export function reviewNoteJson(n: ReviewNote) {
  return {
    id: n.id,
    kind: n.kind,
    item: n.item,
    note: n.note,
    decision: n.decision,
    roles: n.roles,
    alert_id: n.alertId,
    approval_id: n.approvalId,
    event_id: n.eventId,
    by: n.by,
    at: iso(n.atMs),
  };
}

export function logItemJson(item: LogItem) {
  return {
    seq: item.entry.seq,
    id: item.entry.id,
    leaf_hash: toBase64(item.entry.leafHash),
    record: JSON.parse(item.entry.record) as Record<string, unknown>,
    alerts: item.alerts.map((a) => ({
      id: a.id,
      title: a.title,
      state: a.state,
      severity: a.severity,
      rule: a.ruleId,
    })),
  };
}
