import canonicalizePackage from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical form of a JSON value. The record validator has already enforced
 * JCS hygiene (no floats, safe integers, no lone surrogates, no duplicate keys), so the
 * package's ECMAScript-based serialisation is exactly the canonical form.
 */
export function canonicalize(value: unknown): string {
  const text = (canonicalizePackage as unknown as (input: unknown) => string | undefined)(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}
