/**
 * Reads a JSON column and checks its shape: a row the code cannot read is corruption (or a
 * newer version's data), and must fail loudly where it is read, not later as `undefined`.
 */
export function storedJson<T>(
  text: unknown,
  isShape: (value: unknown) => value is T,
  what: string,
): T {
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch {
    throw new Error(`stored ${what} is not JSON`);
  }
  if (!isShape(value)) throw new Error(`stored ${what} does not have the expected shape`);
  return value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isIntArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isSafeInteger(n));
}
