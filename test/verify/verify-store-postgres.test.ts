/**
 * `verify --db` checks pages on worker threads too, each with its own PostgreSQL connection:
 * the same report as on one thread.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateSubmittedRecord } from '../../src/core/record/validate.js';
import { openLog } from '../../src/log/open-log.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { sampleEvent } from '../support/http.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { START_MS, TEST_ORIGIN, tempDir } from '../support/test-server.js';

describe('verifyStore on PostgreSQL with worker threads', {
  skip: !PG_ENABLED && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  let dataDir: string;
  let databaseUrl: string;
  let drop: () => Promise<void>;

  before(async () => {
    const schema = await freshPgSchema();
    drop = schema.drop;
    databaseUrl = `${schema.url}${schema.url.includes('?') ? '&' : '?'}schema=${schema.schema}`;
    dataDir = tempDir();
    const clock = new ManualClock(START_MS);
    const log = await openLog({ dataDir, databaseUrl, origin: TEST_ORIGIN, clock });
    try {
      for (let n = 0; n < 300; n += 60) {
        const events = Array.from({ length: 60 }, (_, i) =>
          validateSubmittedRecord(sampleEvent(n + i), '$', { boundSource: 'billing-api' }),
        );
        await log.sequencer.append(events, 'billing-api');
        clock.advance(1000);
      }
    } finally {
      await log.close();
    }
  });

  after(async () => {
    await drop?.();
  });

  const both = async (store: Store) => {
    const inline = await verifyStore(store, { pageSize: 40, threads: 0 });
    const parallel = await verifyStore(store, {
      location: { dataDir, databaseUrl },
      threads: 2,
      pageSize: 40,
    });
    assert.deepEqual(parallel, inline);
    return parallel;
  };

  it('verifies with the same report as on one thread', async () => {
    const store = await openStore({ dataDir, databaseUrl }, { readonly: true });
    try {
      const report = await both(store);
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.equal(report.entriesChecked, 300);
    } finally {
      await store.close();
    }
  });
});
