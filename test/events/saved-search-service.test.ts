import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountPrincipal } from '../../src/access/principal.js';
import { AppError } from '../../src/errors.js';
import { MAX_SAVED_SEARCHES, SavedSearchService } from '../../src/events/saved-search-service.js';
import type { SelfAuditEvent } from '../../src/log/self-audit.js';
import type { Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { ulidGenerator } from '../../src/util/ids.js';
import { STORES } from '../support/stores.js';

const T0 = Date.parse('2026-12-01T09:00:00Z');

function person(id: string): AccountPrincipal {
  return {
    kind: 'person',
    id,
    name: id,
    grants: [{ role: 'reviewer' }],
    credential: { method: 'session', sessionId: 's', csrfToken: 'c' },
  };
}

for (const factory of STORES) {
  describe(`saved searches: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let events: SelfAuditEvent[] = [];
    let fail = false;
    const clock = new ManualClock(T0);
    let service: SavedSearchService;
    const ada = person('acc-ada');
    const bob = person('acc-bob');

    before(async () => {
      ({ store, dispose } = await factory.create());
      service = new SavedSearchService({
        db: store,
        clock,
        ids: ulidGenerator(),
        // The rows and their events commit together; a failure after the work rolls both back.
        audit: {
          recordWithin: async (work) => {
            const made = await store.transaction(async (tx) => {
              const out = await work(tx);
              if (fail) throw new Error('append failed');
              return out;
            });
            events.push(...made.events);
            return { result: made.result, seqs: [] };
          },
        },
      });
    });
    after(async () => dispose());

    it('saves, renames nothing on a second save of a name, and lists only the owner’s', async () => {
      const first = await service.save(ada, '10.0.0.1', {
        name: 'customer reads',
        query: 'action:customer.read',
        range: '7d',
      });
      assert.equal(first.created, true);
      clock.set(T0 + 1000);
      const again = await service.save(ada, '10.0.0.1', {
        name: 'customer reads',
        query: 'action:customer.*',
        range: '',
      });
      assert.equal(again.created, false);
      assert.equal(again.saved.id, first.saved.id);
      await service.save(bob, '10.0.0.2', { name: 'mine', query: 'actor:u-1', range: '' });

      const adas = await service.list(ada);
      assert.deepEqual(
        adas.map((s) => [s.name, s.query, s.dateRange, s.updatedAtMs]),
        [['customer reads', 'action:customer.*', '', T0 + 1000]],
      );
      assert.deepEqual(
        (await service.list(bob)).map((s) => s.name),
        ['mine'],
      );
      assert.deepEqual(
        events.map((e) => [e.action, e.target?.id]),
        [
          ['saved_search.create', first.saved.id],
          ['saved_search.update', first.saved.id],
          ['saved_search.create', (await service.list(bob))[0]!.id],
        ],
      );
    });

    it('deletes only the owner’s: another person’s id is not found and stays', async () => {
      const bobs = (await service.list(bob))[0]!;
      await assert.rejects(
        service.delete(ada, '10.0.0.1', bobs.id),
        (e: unknown) => e instanceof AppError && e.reason === 'not_found',
      );
      assert.equal((await service.list(bob)).length, 1);
      await service.delete(bob, '10.0.0.2', bobs.id);
      assert.deepEqual(await service.list(bob), []);
      assert.equal(events.at(-1)!.action, 'saved_search.delete');
    });

    it('keeps nothing when the event cannot be appended', async () => {
      events = [];
      fail = true;
      await assert.rejects(
        service.save(bob, '10.0.0.2', { name: 'lost', query: 'x', range: '' }),
        /append failed/,
      );
      fail = false;
      assert.deepEqual(await service.list(bob), []);
      assert.deepEqual(events, []);
    });

    it(`refuses a new name beyond ${MAX_SAVED_SEARCHES}, but still updates an existing one`, async () => {
      const carl = person('acc-carl');
      for (let i = 0; i < MAX_SAVED_SEARCHES; i++) {
        await service.save(carl, '10.0.0.3', { name: `s${i}`, query: `actor:u-${i}`, range: '' });
      }
      await assert.rejects(
        service.save(carl, '10.0.0.3', { name: 'one more', query: 'x', range: '' }),
        (e: unknown) => e instanceof AppError && e.reason === 'saved_searches_full',
      );
      const updated = await service.save(carl, '10.0.0.3', { name: 's0', query: 'y', range: '' });
      assert.equal(updated.created, false);
    });
  });
}
