import { AppError } from '../../errors.js';
import { StateCollection } from '../../store/state-collection.js';
import type { Store } from '../../store/store.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { refuse } from './admin-events.js';
import { activeAdmins } from './separation.js';

/** State kind and id of the one four-eyes settings document. */
const KIND = 'four_eyes';
const ID = 'settings';

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

export async function readFourEyes(store: Store): Promise<FourEyesSettings> {
  return (
    (await new StateCollection<FourEyesSettings>(store, KIND).get(ID))?.value ?? DEFAULT_FOUR_EYES
  );
}

/**
 * Turns four-eyes for reader grants on or off. Off is for a one-person install: refused while
 * more than one admin account is enabled, since then it would let one admin mint a reader
 * alone. Either way the change is an event, and /healthz and whoami show the state.
 */
export async function setReaderGrants(
  ctx: AdminContext,
  actor: AdminActor,
  value: 'on' | 'off',
): Promise<FourEyesSettings> {
  const previous = await readFourEyes(ctx.store);
  const event = {
    action: 'settings.update',
    target: { type: 'settings', id: 'four_eyes' },
    details: { reader_grants: value, previous_reader_grants: previous.readerGrants },
  } as const;
  if (value === 'off') {
    const admins = activeAdmins(await ctx.accounts.list());
    if (admins.length > 1) {
      await refuse(
        ctx,
        actor,
        new AppError(
          'four_eyes_required',
          `there are ${admins.length} enabled admin accounts; four-eyes for reader grants can be turned off only where one person administers the log`,
          { path: 'reader_grants' },
        ),
        event,
      );
    }
  }
  const now = ctx.clock.now();
  const next: FourEyesSettings = {
    readerGrants: value,
    changedBy: actor.principal.id,
    changedAtMs: now,
  };
  const docs = new StateCollection<FourEyesSettings>(ctx.store, KIND);
  if (!(await docs.create(ID, next, now))) {
    const updated = await docs.update(ID, () => next, now);
    if (!updated)
      throw new AppError(
        'concurrent_change',
        'the four-eyes settings changed meanwhile; try again',
      );
  }
  await ctx.audit.record({
    principal: actor.principal,
    ...(actor.ip === undefined ? {} : { ip: actor.ip }),
    category: 'config',
    ...event,
  });
  return next;
}

export function parseReaderGrants(value: unknown): 'on' | 'off' {
  if (value !== 'on' && value !== 'off') {
    throw new AppError('invalid_field', '"reader_grants" must be "on" or "off"', {
      path: 'reader_grants',
    });
  }
  return value;
}
