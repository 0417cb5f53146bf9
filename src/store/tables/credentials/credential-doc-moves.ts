import type { DocMove } from '../../doc-move.js';
import { apiTokenColumns } from './api-tokens-table.js';
import { cliHandoffColumns } from './cli-handoffs-table.js';
import { oidcFlowColumns } from './oidc-flows-table.js';
import { sessionColumns } from './sessions-table.js';

/**
 * Migration 6: the credential documents of the old `state` table become rows. A document
 * that does not have the shape the code wrote aborts the migration with its kind and id (the
 * data folder is then left as it was, and the message says what to look at).
 */
export const CREDENTIAL_DOC_MOVES: readonly DocMove[] = [
  {
    kind: 'api_token',
    table: 'api_tokens',
    toRows: (doc) => {
      const v = fieldsOf(doc, 'api_token');
      return [
        apiTokenColumns({
          id: doc.id,
          principalId: v.text('accountId'),
          secretHash: v.text('secretHash'),
          label: v.textOrNull('label'),
          roles: v.textsOrNull('roles'),
          createdAtMs: v.int('createdAtMs'),
          createdBy: v.text('createdBy'),
          expiresAtMs: v.int('expiresAtMs'),
          revokedAtMs: v.intOrNull('revokedAtMs'),
          revokedBy: v.textOrNull('revokedBy'),
          lastUsedAtMs: null,
          awaitingApproval: v.flag('awaitingApproval'),
          version: doc.version,
        }),
      ];
    },
  },
  {
    kind: 'session',
    table: 'sessions',
    toRows: (doc) => {
      const v = fieldsOf(doc, 'session');
      const createdAtMs = v.int('createdAtMs');
      const lastSeenAtMs = v.int('lastSeenAtMs');
      return [
        sessionColumns({
          id: doc.id,
          principalId: v.text('accountId'),
          method: v.text('method'),
          createdAtMs,
          lastSeenAtMs,
          // The default timeouts: the server that resolves it next applies its own anyway.
          expiresAtMs: Math.min(
            lastSeenAtMs + MIGRATED_SESSION_IDLE_MS,
            createdAtMs + MIGRATED_SESSION_ABSOLUTE_MS,
          ),
          ip: v.textOrNull('ip'),
          userAgent: v.textOrNull('userAgent'),
          version: doc.version,
        }),
      ];
    },
  },
  {
    kind: 'oidc_flow',
    table: 'oidc_flows',
    toRows: (doc) => {
      const v = fieldsOf(doc, 'oidc_flow');
      const cli = v.objectOrAbsent('cli');
      return [
        oidcFlowColumns({
          id: doc.id,
          nonce: v.text('nonce'),
          codeVerifier: v.text('codeVerifier'),
          returnTo: v.text('returnTo'),
          browserHash: v.text('browserHash'),
          cli: cli && {
            redirect: cli.text('redirect'),
            challenge: cli.text('challenge'),
            state: cli.text('state'),
          },
          createdAtMs: v.int('createdAtMs'),
          expiresAtMs: v.int('expiresAtMs'),
        }),
      ];
    },
  },
  {
    kind: 'cli_handoff',
    table: 'cli_handoffs',
    toRows: (doc) => {
      const v = fieldsOf(doc, 'cli_handoff');
      return [
        cliHandoffColumns({
          id: doc.id,
          principalId: v.text('accountId'),
          challenge: v.text('challenge'),
          expiresAtMs: v.int('expiresAtMs'),
        }),
      ];
    },
  },
];

/** DEFAULT_SESSION_TIMEOUTS (access/credentials/session-timeouts.ts), which store/ does not import. */
const MIGRATED_SESSION_IDLE_MS = 30 * 60_000;
const MIGRATED_SESSION_ABSOLUTE_MS = 12 * 3_600_000;

interface Fields {
  text(name: string): string;
  textOrNull(name: string): string | null;
  textsOrNull(name: string): string[] | null;
  int(name: string): number;
  intOrNull(name: string): number | null;
  /** Absent counts as false (older documents left optional flags out). */
  flag(name: string): boolean;
  objectOrAbsent(name: string): Fields | null;
}

/** Typed reads of one document's fields, naming the document when one is not as written. */
function fieldsOf(doc: { id: string; value: unknown }, kind: string): Fields {
  const where = `${kind} ${doc.id}`;
  if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
    throw new Error(`cannot move ${where}: its value is not an object`);
  }
  const value = doc.value as Record<string, unknown>;
  const wrong = (name: string, what: string): never => {
    throw new Error(`cannot move ${where}: "${name}" is not ${what}`);
  };
  const fields: Fields = {
    text: (name) => (typeof value[name] === 'string' ? value[name] : wrong(name, 'a string')),
    textOrNull: (name) =>
      value[name] === null || value[name] === undefined ? null : fields.text(name),
    textsOrNull: (name) => {
      const list = value[name];
      if (list === null) return null;
      return Array.isArray(list) && list.every((x) => typeof x === 'string')
        ? list
        : wrong(name, 'a list of strings or null');
    },
    int: (name) =>
      Number.isSafeInteger(value[name]) ? (value[name] as number) : wrong(name, 'an integer'),
    intOrNull: (name) => (value[name] === null ? null : fields.int(name)),
    flag: (name) => {
      const flag = value[name];
      return flag === undefined
        ? false
        : typeof flag === 'boolean'
          ? flag
          : wrong(name, 'true or false');
    },
    objectOrAbsent: (name) =>
      value[name] === undefined
        ? null
        : fieldsOf({ id: doc.id, value: value[name] }, `${kind}.${name} of`),
  };
  return fields;
}
