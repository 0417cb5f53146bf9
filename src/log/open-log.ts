import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { NoteSigner } from '../core/note.js';
import { dataPaths } from '../data-folder.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type IdGenerator, ulidGenerator } from '../util/ids.js';
import { initLog, META_ORIGIN, META_VERIFIER_KEY } from './init-log.js';
import { findLogKey, loadCurrentLogKey, loadOrCreateLogKey } from './log-key.js';
import { Sequencer } from './sequencer.js';
import { readKeyHistory } from './stored-key-history.js';

export interface OpenLogOptions {
  /** Holds the log key (and, without databaseUrl, the SQLite database). */
  dataDir: string;
  /** postgres://… to keep the log in PostgreSQL instead of the data folder. */
  databaseUrl?: string;
  /** Only used when the log is new; an existing log keeps the origin it was made with. */
  origin?: string;
  clock?: Clock;
  newId?: IdGenerator;
  /** Refuse to create a log (admin commands: a mistyped --data must not make a new log). */
  mustExist?: boolean;
}

export interface OpenLog {
  store: Store;
  signer: NoteSigner;
  origin: string;
  sequencer: Sequencer;
  clock: Clock;
  /** True when this call created the log (first start). */
  created: boolean;
  close(): Promise<void>;
}

export function defaultOrigin(): string {
  return `evident.local/${hostname()}`;
}

/** Opens (creating on first use) the log in a data folder: store, signing key, sequencer. */
export async function openLog(options: OpenLogOptions): Promise<OpenLog> {
  const paths = dataPaths(options.dataDir);
  const clock = options.clock ?? systemClock;
  if (options.mustExist && options.databaseUrl === undefined && !existsSync(paths.database)) {
    throw new Error(
      `no Evident log in ${options.dataDir}; create one with \`evident init\` or \`evident serve\``,
    );
  }
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  try {
    if (options.mustExist && !(await store.head())) {
      throw new Error(
        'no Evident log in that database; create one with `evident init` or `evident serve`',
      );
    }
    const stored = await store.getMeta(META_ORIGIN);
    if (stored !== undefined && options.origin !== undefined && options.origin !== stored) {
      throw new Error(
        `this log's origin is "${stored}"; it cannot be changed to "${options.origin}"`,
      );
    }
    const origin = stored ?? options.origin ?? defaultOrigin();
    const currentKey = await store.getMeta(META_VERIFIER_KEY);
    // An existing log's key is never made here: a missing key file must not fork its identity.
    const { signer, created } =
      currentKey === undefined
        ? loadOrCreateLogKey(paths.logKey, origin)
        : {
            signer: loadCurrentLogKey(
              options.dataDir,
              origin,
              currentKey,
              await readKeyHistory(store).catch(() => undefined),
            ),
            created: false,
          };
    await initLog(store, signer, clock);
    const sequencer = new Sequencer(
      store,
      signer,
      origin,
      clock,
      options.newId ?? ulidGenerator(),
      // After a rotation by another process (docs/operations.md, "Rotating the log key").
      { signerFor: (verifierKey) => findLogKey(options.dataDir, origin, verifierKey)?.signer },
    );
    return {
      store,
      signer,
      origin,
      sequencer,
      clock,
      created,
      close: async () => {
        await sequencer.drain();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
