import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUniqueViolation } from '../../../src/store/sql/query-runner.js';
import type { Store } from '../../../src/store/store.js';
import {
  allGatewayCredentials,
  type GatewayCredentialRow,
  gatewayCredentialById,
  gatewayCredentialsOf,
  insertGatewayCredential,
  revokeGatewayCredential,
  unexpiredGatewayCredentials,
} from '../../../src/store/tables/gateway/gateway-credentials-table.js';
import {
  allGatewayGrants,
  deleteGatewayGrant,
  type GatewayGrantRow,
  insertGatewayGrant,
  sameGatewayGrant,
} from '../../../src/store/tables/gateway/gateway-grants-table.js';
import { STORES } from '../../support/stores.js';

const T0 = 1_800_000_000_000;

function credential(
  id: string,
  overrides: Partial<GatewayCredentialRow> = {},
): GatewayCredentialRow {
  return {
    id,
    principalId: 'p-ada',
    label: null,
    verifier: `SCRAM-SHA-256$4096:c2FsdA==$${id}:${id}`,
    createdAtMs: T0,
    createdBy: 'p-ada',
    expiresAtMs: T0 + 3600_000,
    revokedAtMs: null,
    revokedBy: null,
    ...overrides,
  };
}

function grant(id: string, overrides: Partial<GatewayGrantRow> = {}): GatewayGrantRow {
  return {
    id,
    subjectType: 'person',
    subject: 'p-ada',
    database: 'app',
    upstreamRole: 'app_ro',
    createdAtMs: T0,
    createdBy: 'p-root',
    ...overrides,
  };
}

for (const factory of STORES) {
  describe(`gateway tables (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => dispose());

    it('stores credentials and reads them back by id, by person and by expiry', async () => {
      const a = credential('gwc_a', { label: 'Zoë 山田' });
      const b = credential('gwc_b', { createdAtMs: T0 + 1, expiresAtMs: T0 + 10 });
      const c = credential('gwc_c', { principalId: 'p-bob', createdAtMs: T0 + 2 });
      for (const x of [a, b, c]) await insertGatewayCredential(store.state, x);
      assert.deepEqual(await gatewayCredentialById(store.state, 'gwc_a'), a);
      assert.deepEqual(
        (await gatewayCredentialsOf(store.state, 'p-ada')).map((x) => x.id),
        ['gwc_a', 'gwc_b'],
      );
      assert.deepEqual(
        (await unexpiredGatewayCredentials(store.state, T0 + 10)).map((x) => x.id),
        ['gwc_a', 'gwc_c'],
      );
      assert.equal((await allGatewayCredentials(store.state)).length, 3);
      await assert.rejects(insertGatewayCredential(store.state, a), isUniqueViolation);
    });

    it('revokes once: the second revocation changes nothing', async () => {
      assert.equal(await revokeGatewayCredential(store.state, 'gwc_a', 'p-root', T0 + 5), 1);
      assert.equal(await revokeGatewayCredential(store.state, 'gwc_a', 'p-ada', T0 + 6), 0);
      const a = await gatewayCredentialById(store.state, 'gwc_a');
      assert.equal(a?.revokedAtMs, T0 + 5);
      assert.equal(a?.revokedBy, 'p-root');
      assert.equal(await revokeGatewayCredential(store.state, 'gwc_none', 'p-root', T0), 0);
    });

    it('keeps one grant per subject, database and upstream role; deletes by id', async () => {
      await insertGatewayGrant(store.state, grant('gwg_1'));
      await insertGatewayGrant(
        store.state,
        grant('gwg_2', { subjectType: 'role', subject: 'auditor', createdAtMs: T0 + 1 }),
      );
      await assert.rejects(insertGatewayGrant(store.state, grant('gwg_3')), isUniqueViolation);
      assert.equal(
        (
          await sameGatewayGrant(store.state, {
            subjectType: 'person',
            subject: 'p-ada',
            database: 'app',
            upstreamRole: 'app_ro',
          })
        )?.id,
        'gwg_1',
      );
      assert.equal(await deleteGatewayGrant(store.state, 'gwg_1'), 1);
      assert.equal(await deleteGatewayGrant(store.state, 'gwg_1'), 0);
      assert.deepEqual(await allGatewayGrants(store.state), [
        grant('gwg_2', { subjectType: 'role', subject: 'auditor', createdAtMs: T0 + 1 }),
      ]);
    });
  });
}
