import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { activeAdminIds } from '../../store/tables/accounts/accounts-table.js';
import {
  fourEyesDocument,
  saveFourEyesDocument,
} from '../../store/tables/accounts/four-eyes-document.js';
import { inAdminChange } from './admin-change.js';
import type { AdminActor, AdminContext } from './admin-context.js';

export interface FourEyesSettings {
  /** Reading roles for principals an admin controls wait for a second admin (reader-grants.ts). */
  readerGrants: 'on' | 'off';
  changedBy: string | null;
  changedAtMs: number | null;
}

export const DEFAULT_FOUR_EYES: FourEyesSettings = {
  readerGrants: 'on',
  changedBy: null,
  changedAtMs: null,
};

export async function readFourEyes(store: Pick<Store, 'state'>): Promise<FourEyesSettings> {
  return (await fourEyesDocument(store.state)) ?? DEFAULT_FOUR_EYES;
}

/**
 * Turns four-eyes for reader grants on or off. Off is for a one-person install: refused while
 * more than one admin account is enabled, since then it would let one admin mint a reader
 * alone. Either way the change is an event, committed with the setting, and /healthz and
 * whoami show the state.
 */
export function setReaderGrants(
  ctx: AdminContext,
  actor: AdminActor,
  value: 'on' | 'off',
): Promise<FourEyesSettings> {
  return inAdminChange(ctx, actor, async (change) => {
    const previous = (await fourEyesDocument(change.tx)) ?? DEFAULT_FOUR_EYES;
    const event = {
      action: 'settings.update',
      category: 'config',
      target: { type: 'settings', id: 'four_eyes' },
      details: { reader_grants: value, previous_reader_grants: previous.readerGrants },
    } as const;
    if (value === 'off') {
      const admins = await activeAdminIds(change.tx, { lock: true });
      if (admins.length > 1) {
        change.refuse(
          new AppError(
            'four_eyes_required',
            `there are ${admins.length} enabled admin accounts; four-eyes for reader grants can be turned off only where one person administers the log`,
            { path: 'reader_grants' },
          ),
          event,
        );
      }
    }
    const next: FourEyesSettings = {
      readerGrants: value,
      changedBy: actor.principal.id,
      changedAtMs: change.nowMs,
    };
    await saveFourEyesDocument(change.tx, next, change.nowMs);
    change.record(event);
    return next;
  });
}

export function parseReaderGrants(value: unknown): 'on' | 'off' {
  if (value !== 'on' && value !== 'off') {
    throw new AppError('invalid_field', '"reader_grants" must be "on" or "off"', {
      path: 'reader_grants',
    });
  }
  return value;
}
