import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which store's write transaction the current async call chain is inside. A write through
 * `store.state`, a nested `store.transaction` or a log append from inside one would wait for
 * the very transaction it is part of (SQLite's single writer, PostgreSQL's row locks, the
 * sequencer's batch): a hang instead of an error. They throw instead and say to use `tx`.
 */
const scope = new AsyncLocalStorage<object>();

export function runInTransactionOf<T>(store: object, fn: () => Promise<T>): Promise<T> {
  return scope.run(store, fn);
}

export function assertOutsideTransactionOf(store: object, what: string): void {
  if (scope.getStore() === store) {
    throw new Error(
      `${what} from inside a transaction of the same store would wait for itself: use the transaction's tx`,
    );
  }
}
