import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../../src/store/store.js';
import {
  createEnginePosition,
  engineLease,
  enginePosition,
  putEngineLease,
  saveEnginePosition,
} from '../../../src/store/tables/monitor/engine-tables.js';
import {
  putRuleText,
  ruleLayers,
  ruleText,
  setRuleLayer,
} from '../../../src/store/tables/monitor/rule-tables.js';
import { STORES } from '../../support/stores.js';

for (const factory of STORES) {
  describe(`monitor tables (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => {
      await dispose();
    });

    it('the engine position is created once and moves by compare-and-set', async () => {
      const first = { position: 7, layersJson: '{}', evaluatorJson: '{"rules":{}}', savedAtMs: 1 };
      assert.equal(await enginePosition(store.state), undefined);
      assert.equal(await createEnginePosition(store.state, first), true);
      assert.equal(await createEnginePosition(store.state, { ...first, position: 9 }), false);
      const later = { ...first, position: 4_000_000_000, savedAtMs: 2 };
      assert.equal(await saveEnginePosition(store.state, later, 1), true);
      assert.equal(await saveEnginePosition(store.state, later, 1), false, 'version 1 is gone');
      assert.deepEqual(await enginePosition(store.state), { ...later, version: 2 });
    });

    it('the lease is taken once and renewed by its version', async () => {
      assert.equal(await engineLease(store.state), undefined);
      assert.equal(await putEngineLease(store.state, { holder: 'a', expiresAtMs: 10 }, 0), true);
      assert.equal(await putEngineLease(store.state, { holder: 'b', expiresAtMs: 10 }, 0), false);
      assert.equal(await putEngineLease(store.state, { holder: 'a', expiresAtMs: 20 }, 1), true);
      assert.deepEqual(await engineLease(store.state), {
        holder: 'a',
        expiresAtMs: 20,
        version: 2,
      });
    });

    it('rule texts are stored once by hash; a layer points at the last one set', async () => {
      await putRuleText(store.state, 'h1', { file: 'rules.yaml', text: 'rules: []' }, 1);
      await putRuleText(store.state, 'h1', { file: 'other.yaml', text: 'changed' }, 2);
      assert.deepEqual(await ruleText(store.state, 'h1'), {
        file: 'rules.yaml',
        text: 'rules: []',
      });
      assert.equal(await ruleText(store.state, 'h2'), undefined);
      const layer = { layer: 'api', sha256: 'h1', file: 'api', atMs: 5, by: 'acct-ada' };
      await setRuleLayer(store.state, { ...layer, eventId: 'ev-1' });
      await setRuleLayer(store.state, { ...layer, eventId: 'ev-2', atMs: 6 });
      // Neither event is in this log: the pointer names no seq yet.
      assert.deepEqual(await ruleLayers(store.state), [
        { layer: 'api', sha256: 'h1', file: 'api', eventSeq: null, atMs: 6, by: 'acct-ada' },
      ]);
    });
  });
}
