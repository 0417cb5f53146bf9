import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDefinition } from '../../../src/review/definition-input.js';
import { occurrenceOf } from '../../../src/review/review-schedule.js';
import type { ReviewDefinition } from '../../../src/review/review-types.js';
import {
  definitionById,
  insertDefinition,
  replaceDefinition,
} from '../../../src/store/tables/reviews/review-definitions-table.js';
import { insertNote, notesOf } from '../../../src/store/tables/reviews/review-notes-table.js';
import {
  insertOccurrenceIfAbsent,
  occurrenceById,
  overdueWithoutAlert,
  replaceOccurrence,
} from '../../../src/store/tables/reviews/review-occurrences-table.js';
import { stateTable } from '../../../src/store/tables/state-tables.js';
import { STORES } from '../../support/stores.js';

const T0 = Date.parse('2026-12-07T00:00:00Z');

const definition = (): ReviewDefinition => ({
  ...parseDefinition({
    name: 'weekly',
    kind: 'log',
    cadence: 'weekly',
    sources: ['billing-*'],
    filter: { action_prefix: 'sudo.' },
    reviewers: ['role:reviewer'],
    due_days: 2,
    countersign: true,
  }),
  id: 'def-1',
  version: 1,
  createdAtMs: T0,
  createdBy: 'u-admin',
  updatedAtMs: T0,
  updatedBy: 'u-admin',
});

for (const factory of STORES) {
  describe(`review tables on ${factory.name}`, () => {
    it('round-trip, one occurrence per period by constraint, compare-and-set, and a migrate copy', async () => {
      const { store, dispose } = await factory.create();
      const copy = await factory.create();
      try {
        const d = definition();
        await store.transaction((tx) => insertDefinition(tx, d));
        assert.deepEqual(await definitionById(store.state, d.id), d);
        const period = { startMs: T0 - 7 * 86_400_000, endMs: T0 };
        const o = occurrenceOf(d, period, 'occ-1', T0);
        assert.equal(await store.transaction((tx) => insertOccurrenceIfAbsent(tx, o)), true);
        // Another process's occurrence of the same period (another id): refused by the constraint.
        const twin = occurrenceOf(d, period, 'occ-2', T0 + 5);
        assert.equal(await store.transaction((tx) => insertOccurrenceIfAbsent(tx, twin)), false);
        assert.equal(await occurrenceById(store.state, 'occ-2'), undefined);
        assert.deepEqual(await occurrenceById(store.state, 'occ-1'), o);

        const started = {
          ...o,
          status: 'in_progress' as const,
          pin: {
            startedAtMs: T0 + 1,
            startedBy: 'u-rita',
            treeSize: 42,
            rootHash: 'cm9vdA==',
            checkpoint: 'evident.test/log\n42\ncm9vdA==\n',
            items: [3, 9, 40],
            itemsSha256: 'aXRlbXM=',
            itemCount: 3,
            actors: ['u-ops'],
            snapshot: null,
            snapshotSha256: null,
          },
          version: 2,
        };
        assert.equal(await replaceOccurrence(store.state, started), true);
        assert.equal(await replaceOccurrence(store.state, started), false, 'version 1 is gone');
        assert.deepEqual(await occurrenceById(store.state, 'occ-1'), started);
        assert.deepEqual(
          (await overdueWithoutAlert(store.state, o.dueAtMs + 1, 10)).map((x) => x.id),
          ['occ-1'],
        );
        assert.deepEqual(await overdueWithoutAlert(store.state, o.dueAtMs, 10), []);
        await store.transaction((tx) =>
          insertNote(tx, {
            id: 'n-1',
            occurrenceId: 'occ-1',
            kind: 'observation',
            item: 'seq:9',
            note: 'Zoë 山田',
            decision: null,
            roles: null,
            alertId: 'a-1',
            approvalId: null,
            eventId: null,
            by: 'u-rita',
            atMs: T0 + 2,
          }),
        );
        assert.equal((await notesOf(store.state, 'occ-1'))[0]!.note, 'Zoë 山田');
        assert.equal(
          await store.transaction((tx) => replaceDefinition(tx, { ...d, dueDays: 5, version: 2 })),
          true,
        );
        assert.equal((await occurrenceById(store.state, 'occ-1'))!.definition.dueDays, 2);

        // `evident migrate` copies each table page by page in key order.
        for (const table of ['review_definitions', 'review_occurrences', 'review_notes']) {
          stateTable(table);
          for await (const page of store.scanTable(table, 1))
            await copy.store.insertRows(table, page);
        }
        assert.deepEqual(await occurrenceById(copy.store.state, 'occ-1'), started);
        assert.equal((await notesOf(copy.store.state, 'occ-1')).length, 1);
      } finally {
        await copy.dispose();
        await dispose();
      }
    });
  });
}
