import { monotonicFactory } from 'ulid';

/** Makes an event id for a record that came without one. */
export type IdGenerator = (timeMs: number) => string;

/** ULIDs that sort in generation order even within one millisecond. */
export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return (timeMs) => next(timeMs);
}
