import type { Action, Role } from '../principal.js';

/**
 * The permission matrix (docs/security.md renders it). No action deletes or edits events:
 * none exists, for any role. `admin` manages people, keys and settings but reads no event
 * contents unless also granted a reading role.
 */
export const ROLE_ACTIONS: Readonly<Record<Role, readonly Action[]>> = {
  admin: [
    'log.read',
    'principals.read',
    'principals.manage',
    'tokens.manage',
    'approvals.decide',
    'ingest_keys.manage',
    'settings.manage',
    'log_key.rotate',
    'sources.read',
    'sources.manage',
    'rules.read',
    'rules.manage',
    'reviews.manage',
    'retention.read',
    'retention.manage',
    'self',
    'gateway.manage',
  ],
  auditor: [
    'events.read',
    'events.export',
    'log.read',
    'log.entries',
    'proofs.read',
    'principals.read',
    'sources.read',
    'rules.read',
    'alerts.read',
    'reviews.read',
    'reports.read',
    'packs.create',
    'retention.read',
    'self',
  ],
  reviewer: [
    'events.read',
    'log.read',
    'sources.read',
    'rules.read',
    'alerts.read',
    'alerts.handle',
    'reviews.read',
    'reviews.sign_off',
    'reports.read',
    'self',
  ],
  // A gateway's service principal: the people's SCRAM verifiers and the access policy, no events.
  gateway: ['gateway.sync', 'self'],
};

/** What an ingest key may do: append, as its bound source. Nothing else. */
export const INGEST_ACTIONS: readonly Action[] = ['events.append'];

/**
 * Actions whose resources carry a source, so a scoped grant (`billing-*`) narrows them.
 * The rest are log-wide (checkpoints, key history) or administrative.
 */
export const SOURCE_SCOPED_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'events.read',
  'events.export',
  'proofs.read',
  'sources.read',
  'alerts.read',
  'alerts.handle',
  'reviews.read',
  'reviews.sign_off',
  'reports.read',
]);

/**
 * Actions that need a grant over every source: raw log pages reveal every source, and an
 * evidence pack reports on the whole log.
 */
export const UNSCOPED_ONLY_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'log.entries',
  'packs.create',
]);
