/**
 * Which OCSF 1.x class an Evident record becomes, and its activity (docs/siem.md has the
 * table). Decided from the record's `category` and its dotted action; anything not
 * recognised as sign-in, account or entity management, or database access is API Activity.
 */
import type { EventRecord } from '../../core/record/types.js';
import { objectOf, verbOf } from './exported-entry.js';

export type OcsfClassName =
  | 'authentication'
  | 'account_change'
  | 'entity_management'
  | 'api_activity'
  | 'datastore_activity';

export interface OcsfClass {
  name: OcsfClassName;
  caption: string;
  classUid: number;
  categoryUid: number;
  categoryName: string;
  /** Verb → activity_id; unlisted verbs are 99 (Other). */
  activities: Readonly<Record<string, number>>;
}

const IAM = { categoryUid: 3, categoryName: 'Identity & Access Management' };
const APPLICATION = { categoryUid: 6, categoryName: 'Application Activity' };

export const OCSF_CLASSES: Readonly<Record<OcsfClassName, OcsfClass>> = {
  authentication: {
    name: 'authentication',
    caption: 'Authentication',
    classUid: 3002,
    ...IAM,
    activities: {
      sign_in: 1,
      login: 1,
      logon: 1,
      authenticate: 1,
      sign_out: 2,
      logout: 2,
      logoff: 2,
    },
  },
  account_change: {
    name: 'account_change',
    caption: 'Account Change',
    classUid: 3001,
    ...IAM,
    activities: {
      create: 1,
      enable: 2,
      password_change: 3,
      password_reset: 4,
      disable: 5,
      delete: 6,
      role_grant: 7,
      role_revoke: 8,
      lock: 9,
      mfa_enable: 10,
      mfa_disable: 11,
      unlock: 12,
    },
  },
  entity_management: {
    name: 'entity_management',
    caption: 'Entity Management',
    classUid: 3004,
    ...IAM,
    activities: {
      create: 1,
      read: 2,
      list: 2,
      update: 3,
      set: 3,
      delete: 4,
      revoke: 4,
      move: 5,
      enroll: 6,
      unenroll: 7,
      enable: 8,
      disable: 9,
      activate: 10,
      deactivate: 11,
      suspend: 12,
      resume: 13,
    },
  },
  api_activity: {
    name: 'api_activity',
    caption: 'API Activity',
    classUid: 6003,
    ...APPLICATION,
    activities: {
      create: 1,
      add: 1,
      read: 2,
      get: 2,
      list: 2,
      view: 2,
      search: 2,
      export: 2,
      download: 2,
      update: 3,
      edit: 3,
      change: 3,
      delete: 4,
      remove: 4,
    },
  },
  datastore_activity: {
    name: 'datastore_activity',
    caption: 'Datastore Activity',
    classUid: 6005,
    ...APPLICATION,
    activities: {
      read: 1,
      select: 1,
      update: 2,
      connect: 3,
      query: 4,
      write: 5,
      insert: 5,
      create: 6,
      delete: 7,
      list: 8,
      encrypt: 9,
      decrypt: 10,
    },
  },
};

/** Objects whose changes are account changes when the verb is one (`principal.disable`). */
const ACCOUNT_OBJECTS = new Set(['user', 'account', 'principal']);
/** Evident's own configuration objects, and anything in category iam or config. */
const MANAGED_OBJECTS = new Set([
  'principal',
  'ingest_key',
  'token',
  'rule',
  'settings',
  'source',
  'notification',
  'approval',
  'role',
  'log_key',
]);
const SIGN_IN_OBJECTS = new Set(['session', 'auth', 'login']);

export function ocsfClassOf(record: EventRecord): OcsfClass {
  const object = objectOf(record.action);
  const verb = verbOf(record.action);
  if (object === 'db') return OCSF_CLASSES.datastore_activity;
  if (
    record.category === 'authentication' ||
    SIGN_IN_OBJECTS.has(object) ||
    OCSF_CLASSES.authentication.activities[verb] !== undefined
  ) {
    return OCSF_CLASSES.authentication;
  }
  if (ACCOUNT_OBJECTS.has(object) && OCSF_CLASSES.account_change.activities[verb] !== undefined) {
    return OCSF_CLASSES.account_change;
  }
  if (record.category === 'iam' || record.category === 'config' || MANAGED_OBJECTS.has(object)) {
    return OCSF_CLASSES.entity_management;
  }
  return OCSF_CLASSES.api_activity;
}

/** activity_id for the record's verb in its class; 99 (Other) when the verb is not listed. */
export function activityIdOf(cls: OcsfClass, record: EventRecord): number {
  return cls.activities[verbOf(record.action)] ?? 99;
}
