import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from './test-server.js';

/** A fresh, empty store of one kind; `dispose` closes and deletes it. */
export interface StoreFactory {
  name: string;
  create(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

/**
 * Every Store adapter the conformance suite runs against. The PostgreSQL adapter joins this
 * list (selected by EVIDENT_TEST_PG_URL) when it exists.
 */
export const STORES: StoreFactory[] = [
  {
    name: 'sqlite',
    create: async () => {
      const dir = tempDir('evident-store-');
      const store = SqliteStore.open(join(dir, 'evident.db'));
      return {
        store,
        dispose: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
