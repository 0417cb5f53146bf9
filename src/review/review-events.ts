import type { SelfAuditEvent } from '../log/self-audit.js';
import type { Requester } from '../monitor/requester.js';
import type { ReviewDefinition, ReviewNote, ReviewOccurrence } from './review-types.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function reviewTarget(o: { id: string; definition: { name: string } }) {
  return { type: 'review', id: o.id, name: o.definition.name };
}

/** `review_definition.create|update`: every field of the definition as it now is. */
export function definitionEvent(
  d: ReviewDefinition,
  created: boolean,
  by: Requester,
): SelfAuditEvent {
  return {
    ...by,
    action: created ? 'review_definition.create' : 'review_definition.update',
    category: 'config',
    target: { type: 'review_definition', id: d.id, name: d.name },
    details: {
      name: d.name,
      kind: d.kind,
      cadence: d.cadence,
      time_zone: d.timeZone,
      sources: d.sources,
      filter: { ...d.filter },
      reviewers: d.reviewers,
      due_days: d.dueDays,
      countersign: d.countersign,
      version: d.version,
    },
  };
}

export function periodDetails(o: ReviewOccurrence) {
  return {
    review_id: o.id,
    definition_id: o.definitionId,
    period_start: iso(o.periodStartMs),
    period_end: iso(o.periodEndMs),
    due_at: iso(o.dueAtMs),
  };
}

export function openEvent(o: ReviewOccurrence, by: Requester): SelfAuditEvent {
  return {
    ...by,
    action: 'review.open',
    target: reviewTarget(o),
    details: { ...periodDetails(o), definition_version: o.definition.version },
  };
}

export function startEvent(o: ReviewOccurrence, by: Requester): SelfAuditEvent {
  const pin = o.pin!;
  return {
    ...by,
    action: 'review.start',
    target: reviewTarget(o),
    details: {
      review_id: o.id,
      tree_size: pin.treeSize,
      root_hash: pin.rootHash,
      items_sha256: pin.itemsSha256,
      item_count: pin.itemCount,
      snapshot_sha256: pin.snapshotSha256,
    },
  };
}

export function noteJson(n: ReviewNote) {
  return {
    id: n.id,
    item: n.item,
    note: n.note,
    by: n.by,
    at: iso(n.atMs),
    ...(n.alertId !== null ? { alert_id: n.alertId } : {}),
  };
}

export function decisionJson(n: ReviewNote) {
  return {
    item: n.item,
    decision: n.decision,
    roles: n.roles,
    note: n.note,
    by: n.by,
    at: iso(n.atMs),
    approval_id: n.approvalId,
  };
}

/** The sign-off, with everything an auditor needs to recompute what was reviewed. */
export function signOffEvent(
  o: ReviewOccurrence,
  notes: readonly ReviewNote[],
  by: Requester & { id: string },
): SelfAuditEvent {
  const pin = o.pin!;
  const signOff = o.signOff!;
  const d = o.definition;
  return {
    id: by.id,
    principal: by.principal,
    ...(by.ip !== undefined ? { ip: by.ip } : {}),
    action: 'review.sign_off',
    target: reviewTarget(o),
    details: {
      ...periodDetails(o),
      definition_name: d.name,
      definition_version: d.version,
      kind: d.kind,
      cadence: d.cadence,
      time_zone: d.timeZone,
      late: signOff.atMs > o.dueAtMs,
      decision: signOff.decision,
      notes: signOff.notes,
      tree_size: pin.treeSize,
      root_hash: pin.rootHash,
      items_sha256: pin.itemsSha256,
      item_count: pin.itemCount,
      snapshot_sha256: pin.snapshotSha256,
      observations: notes.filter((n) => n.kind === 'observation').map(noteJson),
      decisions: notes.filter((n) => n.kind === 'decision').map(decisionJson),
      countersign_required: d.countersign,
    },
  };
}
