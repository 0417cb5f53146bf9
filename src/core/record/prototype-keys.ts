import { memberPath } from './validate.js';

/**
 * The two JSON shapes that alter object prototypes when a JavaScript consumer merges parsed
 * data into an object (`Object.assign`, deep-merge helpers): a `__proto__` key, and a
 * `constructor` object holding a `prototype` key. These are the shapes Fastify's default
 * parser (secure-json-parse) refuses; we refuse the same, naming the JSON path.
 */
export function isConstructorPrototype(key: string, value: unknown): boolean {
  return (
    key === 'constructor' &&
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, 'prototype')
  );
}

/**
 * The JSON path of the first prototype-altering key in `value` (a `JSON.parse` result),
 * or undefined. Iterative, so a deep body costs a loop, not a stack.
 */
export function findPrototypeKey(value: unknown, rootPath = '$'): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: rootPath }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const v = next.value;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], path: `${next.path}[${i}]` });
      continue;
    }
    const keys = Object.keys(v);
    for (const key of keys) {
      const child = (v as Record<string, unknown>)[key];
      if (key === '__proto__') return memberPath(next.path, key);
      if (isConstructorPrototype(key, child)) return `${memberPath(next.path, key)}.prototype`;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      stack.push({ value: (v as Record<string, unknown>)[key], path: memberPath(next.path, key) });
    }
  }
  return undefined;
}
