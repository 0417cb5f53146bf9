import { AppError } from '../../errors.js';
import type { Disposition } from '../types.js';
import { type ActorSnapshot, type AlertRecord, type HistoryEntry, MAX_HISTORY } from './alert.js';

/**
 * What a person can do to an alert. The states run open → acknowledged → resolved; a
 * resolved alert can be reopened (with a note saying why), which puts it back to open and
 * keeps the earlier resolution in the history: ISO 27001 A.5.26 asks for the handling to
 * be recorded, and a reopened incident is part of that record, not a rewrite of it.
 */
export type Transition =
  | { action: 'acknowledge' }
  | { action: 'resolve'; disposition: Disposition; note: string }
  | { action: 'reopen'; note: string }
  | { action: 'assign'; assignee: string | null }
  | { action: 'comment'; text: string };

export interface Stamp {
  eventId: string;
  atMs: number;
  by: ActorSnapshot;
}

/**
 * The alert after one step, with the step appended to its history (seq pending). Pure: it
 * may run again on a newer version of the document after a compare-and-set conflict, and
 * throws 409 when the step does not fit the state it finds.
 */
export function applyTransition(alert: AlertRecord, t: Transition, stamp: Stamp): AlertRecord {
  if (alert.history.length >= MAX_HISTORY) {
    throw new AppError(
      'alert_history_full',
      `alert ${alert.id} has ${MAX_HISTORY} handling steps, the most one alert keeps`,
    );
  }
  const step = (fields: Partial<HistoryEntry>, to = alert.state): HistoryEntry => ({
    action: t.action,
    eventId: stamp.eventId,
    seq: null,
    atMs: stamp.atMs,
    by: stamp.by,
    from: alert.state,
    to,
    ...fields,
  });
  switch (t.action) {
    case 'acknowledge': {
      if (alert.state !== 'open') throw refused(alert, 'acknowledged', 'open');
      return {
        ...alert,
        state: 'acknowledged',
        acknowledgedAtMs: alert.acknowledgedAtMs ?? stamp.atMs,
        acknowledgedBy: alert.acknowledgedBy ?? stamp.by.id,
        history: [...alert.history, step({}, 'acknowledged')],
      };
    }
    case 'resolve': {
      if (alert.state === 'resolved') throw refused(alert, 'resolved', 'open or acknowledged');
      return {
        ...alert,
        state: 'resolved',
        // Resolving straight from open is the first response too (time to acknowledge).
        acknowledgedAtMs: alert.acknowledgedAtMs ?? stamp.atMs,
        acknowledgedBy: alert.acknowledgedBy ?? stamp.by.id,
        resolvedAtMs: stamp.atMs,
        resolution: { disposition: t.disposition, note: t.note, by: stamp.by.id },
        history: [...alert.history, step({ disposition: t.disposition, note: t.note }, 'resolved')],
      };
    }
    case 'reopen': {
      if (alert.state !== 'resolved') throw refused(alert, 'reopened', 'resolved');
      return {
        ...alert,
        state: 'open',
        resolvedAtMs: null,
        resolution: null,
        history: [...alert.history, step({ note: t.note }, 'open')],
      };
    }
    case 'assign': {
      if (alert.state === 'resolved') throw refused(alert, 'assigned', 'open or acknowledged');
      if (alert.assignee === t.assignee) {
        throw new AppError(
          'alert_assignee_unchanged',
          t.assignee === null
            ? `alert ${alert.id} is not assigned to anyone`
            : `alert ${alert.id} is already assigned to ${t.assignee}`,
        );
      }
      return {
        ...alert,
        assignee: t.assignee,
        history: [...alert.history, step({ assignee: t.assignee })],
      };
    }
    case 'comment':
      return { ...alert, history: [...alert.history, step({ text: t.text })] };
  }
}

function refused(alert: AlertRecord, verb: string, needed: string): AppError {
  const last = [...alert.history]
    .reverse()
    .find((h) => h.from !== null && h.from !== h.to && h.to === alert.state);
  const since = last ? ` (by ${last.by.name ?? last.by.id} at ${iso(last.atMs)})` : '';
  return new AppError(
    'alert_not_in_state',
    `alert ${alert.id} is ${alert.state}${since}; only an alert that is ${needed} can be ${verb}`,
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
