import { monotonicFactory } from 'ulid';

/** Makes an event id at a time (ms). ULIDs sort in creation order, even within 1 ms. */
export type IdGenerator = (nowMs: number) => string;

export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return (nowMs) => next(nowMs);
}
