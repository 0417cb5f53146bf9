import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  INGEST_ACTIONS,
  ROLE_ACTIONS,
  SOURCE_SCOPED_ACTIONS,
} from '../../src/access/authorization/permissions.js';
import { ACTIONS, ROLES } from '../../src/access/principal.js';

/** The matrix in docs/security.md is what users read; it must say what the code does. */
test('docs/security.md renders the permission matrix of src/access/authorization/permissions.ts', () => {
  const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const m = /^\| `([a-z_.]+)` \|(.*)\|$/.exec(line);
    if (m)
      rows.set(
        m[1]!,
        m[2]!.split('|').map((c) => c.trim()),
      );
  }
  assert.deepEqual([...rows.keys()].sort(), [...ACTIONS].sort(), 'one row per action');
  for (const action of ACTIONS) {
    const [, ...cells] = rows.get(action)!;
    ROLES.forEach((role, i) => {
      const allowed = ROLE_ACTIONS[role].includes(action);
      const cell = cells[i]!;
      assert.equal(cell.startsWith('✔'), allowed, `${action} × ${role}: "${cell}"`);
      if (allowed && role !== 'admin') {
        assert.equal(
          cell.includes('scoped'),
          SOURCE_SCOPED_ACTIONS.has(action),
          `${action} × ${role} says scoped iff the action is source-scoped`,
        );
      }
    });
    assert.equal(cells[ROLES.length]!.startsWith('✔'), INGEST_ACTIONS.includes(action));
  }
});
